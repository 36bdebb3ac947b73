/** What the hallq command's exit status means, for scripts. */
export const exitCodes = {
  ok: 0,
  /** Something failed at run time (a device, the broker, a file). */
  failure: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The config file is invalid: nothing was started. */
  configInvalid: 3,
  /** hallq server: another hall server serves this hall on the broker (SERVER_RUNNING); systemd does not restart it (RestartPreventExitStatus=4). */
  serverRunning: 4,
} as const;
