// Writes the hallq-none Xcursor theme: every cursor name a 1×1 transparent image, so neither cage nor
// Chromium draws a pointer on the kiosk's touch screen or the hall TV (cage 0.1.4 has no option for it).
// Format: libXcursor's file format (Xcursor(3)): a header, a table of contents, one image chunk.
//   node packaging/make-cursor-theme.mjs DIR   → DIR/hallq-none/{index.theme,cursors/*}, DIR/default → hallq-none
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const IMAGE = 0xfffd0002;
const SIZE = 24; // nominal size; the only one, so every requested size picks it
const file = Buffer.alloc(16 + 12 + 36 + 4);
let o = 0;
const u32 = (v) => { file.writeUInt32LE(v >>> 0, o); o += 4; };
file.write('Xcur', 0, 'latin1'); o = 4;
u32(16); u32(0x10000); u32(1); // header size, version, entries in the table of contents
u32(IMAGE); u32(SIZE); u32(28); // toc: type, subtype, position of the chunk
u32(36); u32(IMAGE); u32(SIZE); u32(1); // chunk header: size, type, subtype, version
u32(1); u32(1); u32(0); u32(0); u32(0); // width, height, xhot, yhot, delay
u32(0); // one ARGB pixel, fully transparent

const names = `default left_ptr arrow top_left_arrow pointer hand hand1 hand2 text xterm ibeam vertical-text wait watch progress
left_ptr_watch crosshair cross move fleur grab grabbing openhand closedhand not-allowed no-drop help question_arrow
context-menu cell copy alias col-resize row-resize n-resize s-resize e-resize w-resize ne-resize nw-resize se-resize sw-resize
ns-resize ew-resize nesw-resize nwse-resize all-scroll zoom-in zoom-out sb_h_double_arrow sb_v_double_arrow
left_side right_side top_side bottom_side top_left_corner top_right_corner bottom_left_corner bottom_right_corner`.split(/\s+/);

const dir = process.argv[2];
if (!dir) throw new Error('usage: make-cursor-theme.mjs DIR');
const theme = join(dir, 'hallq-none');
mkdirSync(join(theme, 'cursors'), { recursive: true });
writeFileSync(join(theme, 'index.theme'), '[Icon Theme]\nName=hallq-none\nComment=Transparent cursors for the hallq kiosk and hall display\n');
writeFileSync(join(theme, 'cursors', 'default'), file);
for (const n of names) if (n !== 'default') symlinkSync('default', join(theme, 'cursors', n));
// wlroots (cage) loads the theme called "default" from XCURSOR_PATH.
symlinkSync('hallq-none', join(dir, 'default'));
