/** Resident ID-card readers: SAM over serial, the same frames over HID, keyboard wedges, and the emulator. */
export * from './sam-codec.js';
export * from './card-data.js';
export * from './driver.js';
export * from './hid-report.js';
export * from './hid-reader.js';
export * from './wedge.js';
export * from './emulator.js';
export * from './test-cards.js';
