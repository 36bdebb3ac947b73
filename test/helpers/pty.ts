// Tests use the same socat pty pair as the demo and `hallq emulate --pty`.
export { openPtyPair, openSerialPtyPair, type PtyPair } from '../../drivers/common/pty-pair.js';
