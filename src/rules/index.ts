import type { Rule } from './rule.js';
import { encoding } from './encoding.js';
import { frontmatter } from './frontmatter.js';
import { fileSize } from './file-size.js';
import { yamlSyntax } from './yaml-syntax.js';
import { yamlDuplicateKey } from './yaml-duplicate-key.js';
import { yamlAlias } from './yaml-alias.js';
import { unknownField } from './unknown-field.js';
import { requiredField } from './required-field.js';
import { fieldType } from './field-type.js';
import { enumValue } from './enum-value.js';
import { fieldValue } from './field-value.js';
import { timestampOffset } from './timestamp-offset.js';
import { timeFormat } from './time-format.js';
import { idFilename } from './id-filename.js';
import { timeOrder } from './time-order.js';
import { timelineWindow } from './timeline-window.js';
import { impactWindow } from './impact-window.js';
import { timelineEntry } from './timeline-entry.js';
import { internalHeading } from './internal-heading.js';
import { timelineRequired } from './timeline-required.js';
import { finalResolved } from './final-resolved.js';
import { remediationIdUnique } from './remediation-id-unique.js';
import { ownerKnown } from './owner-known.js';
import { unknownService } from './unknown-service.js';
import { unknownLocation } from './unknown-location.js';
import { unknownProvider } from './unknown-provider.js';
import { providerDisplayName } from './provider-display-name.js';
import { serviceDisplayName } from './service-display-name.js';
import { attribution } from './attribution.js';
import { remediationOverdue } from './remediation-overdue.js';
import { duplicateId } from './duplicate-id.js';
import { relatedExists } from './related-exists.js';
import { customerMarkup } from './customer-markup.js';
import { customerLanguage } from './customer-language.js';
import { remediationCustomerWording } from './remediation-customer-wording.js';
import { letterCustomerWording } from './letter-customer-wording.js';

/** Every rule `check` applies, in the order the docs list them. */
export const RULES: readonly Rule[] = [
  encoding,
  frontmatter,
  fileSize,
  yamlSyntax,
  yamlDuplicateKey,
  yamlAlias,
  unknownField,
  requiredField,
  fieldType,
  enumValue,
  fieldValue,
  timestampOffset,
  timeFormat,
  idFilename,
  timeOrder,
  impactWindow,
  timelineWindow,
  timelineEntry,
  internalHeading,
  timelineRequired,
  finalResolved,
  remediationIdUnique,
  ownerKnown,
  unknownService,
  serviceDisplayName,
  unknownLocation,
  unknownProvider,
  providerDisplayName,
  attribution,
  remediationOverdue,
  customerMarkup,
  customerLanguage,
  remediationCustomerWording,
  duplicateId,
  relatedExists,
  letterCustomerWording,
];

export type { Rule } from './rule.js';
