import type { Config } from '../schema/config.js';

/**
 * How customers reach support, from the config's `contact` block (validated there: an e-mail
 * address, a phone number, an https status page). The closing of every letter names what is set
 * (`templates/letter/contact.md.hbs`); with nothing set the letter gives no contact line.
 */
export interface LetterContact {
  email: string | null;
  phone: string | null;
  status_page: string | null;
  /** Whether any of them is set. */
  any: boolean;
  /** Both an e-mail address and a phone number ("write to … or call …"). */
  email_and_phone: boolean;
}

export function letterContact(config: Pick<Config, 'contact'>): LetterContact {
  const { email = null, phone = null, status_page = null } = config.contact;
  return { email, phone, status_page, any: Boolean(email || phone || status_page), email_and_phone: Boolean(email && phone) };
}
