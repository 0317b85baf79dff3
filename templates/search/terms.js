/* postmortem-kb search terms: how a word becomes a search term, for the site's search index
 * (the build runs this file in Node) and for the page's queries (the site ships it as
 * assets/search/terms.js): the same code on both sides, so both find the same words.
 *
 * A term is what SQLite's FTS5 tokenizer `porter unicode61 remove_diacritics 2` makes of a
 * word in the database, so that the site and `postmortem search` find the same incidents:
 * lower case, diacritics removed (as unicode61 does for Latin letters: the combining marks of
 * the decomposed form are dropped), then stemmed by a port of SQLite's Porter stemmer
 * (fts5_tokenize.c).
 *
 * Why a port and not an npm stemmer: Porter implementations differ in small ways (SQLite's
 * has the later `logi`->`log` and `bli`->`ble` rules, counts `y` as a vowel anywhere but first,
 * passes words under 3 or over 64 bytes through, and works on UTF-8 bytes, so that other
 * characters count as consonants), and a word stemmed differently on the page than in the
 * database finds different incidents. test/search-terms.test.ts checks it against SQLite
 * itself on every word of the project's docs and sources and on Porter's own examples. */
var PMKB_SEARCH_PREFIX = function (term, i, terms) {
  // the last word typed is also a prefix: the page searches as you type
  return i === terms.length - 1;
};

var PMKB_SEARCH_TERM = (function () {
  'use strict';
  var A = 97, E = 101, I = 105, L = 108, O = 111, S = 115, T = 116, U = 117, W = 119, X = 120, Y = 121, Z = 122;
  var MAX_BYTES = 64;

  function isVowel(c, yIsVowel) {
    return c === A || c === E || c === I || c === O || c === U || (yIsVowel && c === Y);
  }
  /** Past the first vowel-then-consonant run of b[from, from + n): its end (from `from`, 1-based), or 0. */
  function gobbleVC(b, from, n, previousConsonant) {
    var consonant = previousConsonant;
    var i = 0;
    for (; i < n; i++) if (!(consonant = !isVowel(b[from + i], consonant))) break;
    for (i++; i < n; i++) if ((consonant = !isVowel(b[from + i], consonant))) return i + 1;
    return 0;
  }
  // Conditions on the stem b[0, n): Porter's measure m, *o, *v*.
  function mGt0(b, n) { return gobbleVC(b, 0, n, false) > 0; }
  function mGt1(b, n) {
    var k = gobbleVC(b, 0, n, false);
    return k > 0 && gobbleVC(b, k, n - k, true) > 0;
  }
  function mEq1(b, n) {
    var k = gobbleVC(b, 0, n, false);
    return k > 0 && gobbleVC(b, k, n - k, true) === 0;
  }
  /** Ends consonant-vowel-consonant, the last not w, x or y. */
  function oStar(b, n) {
    var last = b[n - 1];
    if (last === W || last === X || last === Y) return false;
    var mask = 0;
    var consonant = false;
    for (var i = 0; i < n; i++) {
      consonant = !isVowel(b[i], consonant);
      mask = ((mask << 1) | (consonant ? 1 : 0)) & 7;
    }
    return mask === 5;
  }
  function hasVowel(b, n) {
    for (var i = 0; i < n; i++) if (isVowel(b[i], i > 0)) return true;
    return false;
  }
  function mGt1AndSOrT(b, n) { return (b[n - 1] === S || b[n - 1] === T) && mGt1(b, n); }

  function codes(s) {
    var out = [];
    for (var i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
    return out;
  }
  /** Rules `suffix>replacement`, each with the condition its stem must meet. */
  function rules(condition, pairs) {
    return pairs.split(' ').map(function (pair) {
      var parts = pair.split('>');
      return { suffix: codes(parts[0]), replacement: codes(parts[1]), condition: condition };
    });
  }
  var STEP_1B = rules(mGt0, 'eed>ee').concat(rules(hasVowel, 'ed> ing>'));
  var STEP_1B2 = rules(null, 'at>ate bl>ble iz>ize');
  var STEP_2 = rules(mGt0, 'ational>ate tional>tion enci>ence anci>ance izer>ize logi>log bli>ble alli>al entli>ent eli>e '
    + 'ousli>ous ization>ize ation>ate ator>ate alism>al iveness>ive fulness>ful ousness>ous aliti>al iviti>ive biliti>ble');
  var STEP_3 = rules(mGt0, 'ical>ic ness> icate>ic iciti>ic ful> ative> alize>al');
  var STEP_4 = rules(mGt1, 'al> ance> ence> er> ic> able> ible> ant> ement> ment> ent>')
    .concat(rules(mGt1AndSOrT, 'ion>'), rules(mGt1, 'ou> ism> ate> iti> ous> ive> ize>'));

  /**
   * Applies the first rule whose suffix ends the word with at least one letter before it (as
   * SQLite's generated switch does); its condition decides whether it changes the word.
   * The new length, or -1 when no rule applied.
   */
  function apply(b, n, list) {
    for (var r = 0; r < list.length; r++) {
      var rule = list[r];
      var stem = n - rule.suffix.length;
      if (stem < 1) continue;
      var k = 0;
      while (k < rule.suffix.length && b[stem + k] === rule.suffix[k]) k++;
      if (k < rule.suffix.length) continue;
      if (rule.condition && !rule.condition(b, stem)) return -1;
      for (k = 0; k < rule.replacement.length; k++) b[stem + k] = rule.replacement[k];
      return stem + rule.replacement.length;
    }
    return -1;
  }
  function applyOr(b, n, list) {
    var m = apply(b, n, list);
    return m < 0 ? n : m;
  }

  /** Stems the letters b (changed in place); the stem's length. */
  function stem(b) {
    var n = b.length;
    // step 1a: plurals
    if (b[n - 1] === S) {
      if (b[n - 2] === E) n -= (n > 4 && b[n - 4] === S && b[n - 3] === S) || (n > 3 && b[n - 3] === I) ? 2 : 1;
      else if (b[n - 2] !== S) n -= 1;
    }
    // step 1b: -ed and -ing (two or three letters off; not eed -> ee, one) go on to the tidying
    var after1b = apply(b, n, STEP_1B);
    if (after1b >= 0 && n - after1b > 1) {
      n = after1b;
      var after1b2 = apply(b, n, STEP_1B2);
      if (after1b2 >= 0) n = after1b2;
      else {
        var c = b[n - 1];
        if (!isVowel(c, false) && c !== L && c !== S && c !== Z && c === b[n - 2]) n--;
        else if (mEq1(b, n) && oStar(b, n)) b[n++] = E;
      }
    } else if (after1b >= 0) n = after1b;
    // step 1c
    if (b[n - 1] === Y && hasVowel(b, n - 1)) b[n - 1] = I;
    n = applyOr(b, n, STEP_2);
    n = applyOr(b, n, STEP_3);
    n = applyOr(b, n, STEP_4);
    // steps 5a, 5b
    if (b[n - 1] === E && (mGt1(b, n - 1) || (mEq1(b, n - 1) && !oStar(b, n - 1)))) n--;
    if (n > 1 && b[n - 1] === L && b[n - 2] === L && mGt1(b, n - 1)) n--;
    return n;
  }

  var ASCII = /^[\x00-\x7f]*$/;
  var MARKS = /[\u0300-\u036f]/g;
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();
  function porter(word) {
    if (ASCII.test(word)) {
      if (word.length < 3 || word.length > MAX_BYTES) return word;
      var b = codes(word);
      return String.fromCharCode.apply(null, b.slice(0, stem(b)));
    }
    var bytes = encoder.encode(word);
    if (bytes.length < 3 || bytes.length > MAX_BYTES) return word;
    var u = Array.prototype.slice.call(bytes);
    return decoder.decode(Uint8Array.from(u.slice(0, stem(u))));
  }

  return function (word) {
    return porter(word.toLowerCase().normalize('NFD').replace(MARKS, '').normalize('NFC'));
  };
})();
