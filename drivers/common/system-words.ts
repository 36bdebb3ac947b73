/**
 * The operating system's failures (errno codes: ENOENT, EACCES, …) in plain words, English and
 * Chinese. Node's own text ("ENOENT: no such file or directory, open '/x'") never reaches a person:
 * each error names the path (and, for a config, the key path) and says what is wrong with it.
 */
type Words = { en: string; zh: string };

const WORDS: Readonly<Record<string, Words>> = {
  ENOENT: { en: 'it is not there (no such file or folder)', zh: '不存在' },
  EACCES: { en: 'this user may not use it (permission denied)', zh: '当前用户没有权限' },
  EPERM: { en: 'this user may not do that (operation not permitted)', zh: '当前用户不允许这样做' },
  EISDIR: { en: 'it is a folder, not a file', zh: '这是文件夹，不是文件' },
  ENOTDIR: { en: 'a part of the path is a file, not a folder', zh: '路径中有一段是文件而不是文件夹' },
  EEXIST: { en: 'it already exists', zh: '已经存在' },
  ENOTEMPTY: { en: 'the folder is not empty', zh: '文件夹不是空的' },
  ENOSPC: { en: 'the disk is full', zh: '磁盘已满' },
  EDQUOT: { en: "the user's disk quota is used up", zh: '磁盘配额已用完' },
  EROFS: { en: 'the file system is read-only', zh: '文件系统是只读的' },
  EBUSY: { en: 'it is busy (in use by another program)', zh: '正被其他程序占用' },
  EMFILE: { en: 'this process has too many files open', zh: '本进程打开的文件太多' },
  ENFILE: { en: 'the system has too many files open', zh: '系统打开的文件太多' },
  ENAMETOOLONG: { en: 'the name is too long', zh: '名称太长' },
  ELOOP: { en: 'the path has too many symbolic links (a loop?)', zh: '路径中的符号链接太多（可能成环）' },
  EIO: { en: 'the disk or device reported an input/output error', zh: '磁盘或设备读写出错' },
  ENODEV: { en: 'there is no such device', zh: '没有这个设备' },
  ENXIO: { en: 'there is no such device (unplugged?)', zh: '没有这个设备（是否已拔出？）' },
  EBADF: { en: 'the device went away (unplugged, or its port closed under it)', zh: '设备已断开（被拔出，或端口已被关闭）' },
  ETXTBSY: { en: 'the file is busy (being run)', zh: '文件正在被运行' },
  EADDRINUSE: { en: 'the port is taken by another program', zh: '端口已被其他程序占用' },
  EADDRNOTAVAIL: { en: 'this machine has no such address', zh: '本机没有这个地址' },
  ECONNREFUSED: { en: 'nothing answers there (connection refused)', zh: '连接被拒绝（那里没有程序在监听）' },
  ECONNRESET: { en: 'the other side closed the connection', zh: '对方断开了连接' },
  ETIMEDOUT: { en: 'no answer in time', zh: '等待应答超时' },
  EHOSTUNREACH: { en: 'the host cannot be reached', zh: '无法到达该主机' },
  ENETUNREACH: { en: 'the network cannot be reached', zh: '无法到达该网络' },
  ENOTFOUND: { en: 'no such host name', zh: '找不到这个主机名' },
};

/** The errno code of an error or of its causes (`ENOENT`), if it has one. */
export function errnoOf(e: unknown): string | undefined {
  for (let x = e, depth = 0; x !== null && typeof x === 'object' && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  }
  return undefined;
}

/**
 * libuv's own texts for errno codes, as some native add-ons (serialport's bindings) put them in a
 * message with no `code`: "bad file descriptor" is EBADF (uv_strerror).
 */
const UV_TEXTS: Readonly<Record<string, string>> = {
  'bad file descriptor': 'EBADF',
  'no such file or directory': 'ENOENT',
  'permission denied': 'EACCES',
  'input/output error': 'EIO',
  'no such device': 'ENODEV',
  'no such device or address': 'ENXIO',
  'resource busy or locked': 'EBUSY',
};

/** An error in words, never its raw text: by its errno code, else by libuv's text for one in its message. */
export function errorWords(e: unknown): Words {
  const code = errnoOf(e);
  if (code !== undefined) return systemWords(code);
  const message = e instanceof Error ? e.message.toLowerCase() : '';
  const found = Object.entries(UV_TEXTS).find(([text]) => message.includes(text));
  return systemWords(found?.[1]);
}

/** What an errno code means, in words (an unknown code is named as itself). */
export function systemWords(code: string | undefined): Words {
  if (code === undefined) return { en: 'the system refused it', zh: '系统拒绝了这一操作' };
  return WORDS[code] ?? { en: `the system refused it (${code})`, zh: `系统拒绝了这一操作（${code}）` };
}

/** The verbs a file failure can name. */
const ACTIONS = {
  read: { en: 'cannot read', zh: '读取失败' },
  write: { en: 'cannot write', zh: '写入失败' },
  create: { en: 'cannot create', zh: '创建失败' },
  open: { en: 'cannot open', zh: '打开失败' },
  lock: { en: 'cannot lock', zh: '加锁失败' },
} as const satisfies Record<string, Words>;
export type FileAction = keyof typeof ACTIONS;

/**
 * A file failure in words: `cannot read /etc/hallq/x.password: it is not there (no such file or folder)`
 * and `/etc/hallq/x.password 读取失败：不存在`. `what` (a key path or an option, e.g.
 * `server.mqtt.passwordFile`, `--out`) goes first when given.
 */
export function fileProblem(action: FileAction, path: string, e: unknown, what?: string): Words & { errno: string | undefined } {
  const errno = errnoOf(e);
  // Making something where there is no place for it: the folder it goes in is missing (or, under /proc, takes nothing new).
  const w = action === 'create' && errno === 'ENOENT' ? { en: 'the folder it goes in is not there, or takes no new entries', zh: '所在的上级目录不存在或不允许新建' } : systemWords(errno);
  const a = ACTIONS[action];
  const pre = what === undefined ? '' : `${what}: `;
  const preZh = what === undefined ? '' : `${what}：`;
  return { errno, en: `${pre}${a.en} ${path}: ${w.en}`, zh: `${preZh}${path} ${a.zh}：${w.zh}` };
}
