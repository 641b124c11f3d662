/** Category given to an event no rule matched. */
export const UNKNOWN_CATEGORY = 'Unknown';
/** `ruleId` of a classification no rule matched. */
export const UNKNOWN_RULE_ID = 'unknown';
