import type { Command } from './commands.js';
import { decideCallNext, decideCallTicket, decideComplete, decideNoShow, decideRecall, decideStart, decideTransfer } from './decide-call.js';
import { decideFollowUp, decideRate, decideRateOffsite, decideRequestRating } from './decide-rating.js';
import { decideClearEmergency, decideRaiseEmergency } from './emergency.js';
import { decideBook, decideCancel, decideCancelAppointment, decideChangeAppointment, decideCheckIn, decideIssue, decidePrint } from './decide-ticket.js';
import { decideClose, decideOpen, decidePause, decideResume, decideSignIn, decideSignOut, decideTakeOver } from './decide-window.js';
import { accept, reject, type Decision } from './decision.js';
import type { HallState } from './state.js';
import { decideLease, decideReturn } from './lease.js';
import { printTimeoutsDue } from './print-timeout.js';

/** decide(state, command, now) → events and an answer. Reads the state, never changes it. */
export function decide(state: HallState, cmd: Command, now: number): Decision {
  if (cmd.type === 'Configure') return accept([{ type: 'HallConfigured', config: cmd.config }]);
  const config = state.config;
  if (!config) return reject('not-configured');
  switch (cmd.type) {
    case 'Tick':
      return accept(printTimeoutsDue(state, config, now));
    case 'IssueTicket':
      return decideIssue(state, config, cmd, now);
    case 'PrintConfirmed':
    case 'PrintFailed':
      return decidePrint(state, cmd);
    case 'Cancel':
      return decideCancel(state, cmd);
    case 'BookAppointment':
      return decideBook(state, config, cmd);
    case 'CancelAppointment':
      return decideCancelAppointment(state, cmd);
    case 'ChangeAppointment':
      return decideChangeAppointment(state, config, cmd);
    case 'CheckIn':
      return decideCheckIn(state, config, cmd, now);
    case 'CallNext':
      return decideCallNext(state, config, cmd, now);
    case 'CallTicket':
      return decideCallTicket(state, config, cmd, now);
    case 'Recall':
      return decideRecall(state, config, cmd);
    case 'StartService':
      return decideStart(state, config, cmd);
    case 'Complete':
      return decideComplete(state, config, cmd, now);
    case 'NoShow':
      return decideNoShow(state, config, cmd);
    case 'Transfer':
      return decideTransfer(state, config, cmd, now);
    case 'OpenWindow':
      return decideOpen(state, config, cmd);
    case 'PauseWindow':
      return decidePause(state, config, cmd, now);
    case 'ResumeWindow':
      return decideResume(state, config, cmd);
    case 'CloseWindow':
      return decideClose(state, config, cmd, now);
    case 'TakeOver':
      return decideTakeOver(state, config, cmd);
    case 'SignIn':
      return decideSignIn(state, config, cmd);
    case 'SignOut':
      return decideSignOut(state, config, cmd, now);
    case 'RequestRating':
      return decideRequestRating(state, config, cmd, now);
    case 'Rate':
      return decideRate(state, config, cmd, now);
    case 'FollowUp':
      return decideFollowUp(state, cmd);
    case 'RateOffsite':
      return decideRateOffsite(state, cmd, now);
    case 'RaiseEmergency':
      return decideRaiseEmergency(cmd);
    case 'ClearEmergency':
      return decideClearEmergency(state, cmd);
    case 'LeaseNumbers':
      return decideLease(state, config, cmd);
    case 'ReturnNumbers':
      return decideReturn(state, config, cmd);
    case 'NoteIslandConflict':
      return accept([{ type: 'IslandConflict', agentId: cmd.agentId, commandId: cmd.commandId, kind: cmd.kind, detail: cmd.detail, ...(cmd.refTicketId === undefined ? {} : { refTicketId: cmd.refTicketId }) }]);
  }
}
