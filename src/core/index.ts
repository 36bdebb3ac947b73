/** The pure hall domain. Nothing here does I/O or reads a clock. */
export * from './apply.js';
export * from './commands.js';
export * from './decide.js';
export * from './dispatcher.js';
export * from './events.js';
export * from './execute.js';
export * from './hall.js';
export * from './mask.js';
export * from './model.js';
export * from './notify.js';
export * from './outcome.js';
export * from './rejections.js';
export * from './resident-id.js';
export * from './state.js';
export * from './time.js';
export { ticketId, ticketNumber } from './decide-ticket.js';
export { requeueKeyAfter } from './decide-call.js';
export * from './views.js';
