export * from './document.js';
export * as escposCommands from './commands.js';
export * from './encoder.js';
export * from './status.js';
export * from './decoder.js';
export * from './chardev-transport.js';
export * from './driver.js';
export * from './emulator.js';
export * from './mechanics.js';
