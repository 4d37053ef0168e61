// A flag's line at rest, from the LMS's answer: the one reason that decides it (a short chip, the whole
// list as its tooltip) and the one action there is. Pure: tested without a DOM.
import type { FlagInfo } from '../../core/backend-api';
import { timeLeft, whyOnOff } from '../../core/enrollment-text';
import type { FlagSummary } from '../FlagRowView';

/** The criterion that turns the flag on (or would), in a word or two: "staff", "50 %", "enrolled 7h 59m". */
export function shortWhy(info: FlagInfo, now: number): string {
  const c = info.criteria;
  const e = info.myEnrollment;
  if (e && e.state === 'live') return `enrolled ${timeLeft(e.expiresAt, now)}`;
  if (c.everyone === true) return 'everyone';
  if (c.everyone === false) return 'off for all';
  if (info.activeForMe) {
    if (info.listed) return 'listed';
    if (info.myGroups.length) return 'group';
  }
  if (c.superusers && info.activeForMe && !c.staff && !c.authenticated) return 'superusers';
  if (c.staff) return 'staff';
  if (c.authenticated) return 'signed in';
  if (c.percent !== null && c.percent > 0) return `${c.percent} %`;
  if (c.testing) return 'testing';
  if (c.groups.length) return 'groups';
  if (c.userCount > 0) return 'listed users';
  if (c.superusers) return 'superusers';
  return 'nobody';
}

export function flagSummary(info: FlagInfo, canEnrollSelf: boolean, now: number): FlagSummary {
  const live = info.myEnrollment?.state === 'live';
  const lead = info.activeForMe ? 'On for you: ' : info.criteria.everyone === false ? 'Off for you: ' : 'On for: ';
  let action: FlagSummary['action'] = null;
  if (live) action = { label: 'Revoke…', title: 'Open the row: your enrollment, its time left and Revoke' };
  else if (!info.activeForMe && canEnrollSelf && info.enrollable) {
    action = { label: 'Enroll…', title: 'Open the row to enroll yourself in this flag, time-boxed' };
  } else if (info.criteria.testing && info.criteria.everyone === null) {
    action = { label: 'Force…', title: 'Open the row: force this testing flag on or off for this browser' };
  }
  return {
    why: { text: shortWhy(info, now), title: lead + whyOnOff(info, now).join(' · ') },
    enrolled: live,
    action,
  };
}
