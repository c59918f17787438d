/**
 * A minimal POSIX tar (ustar, with pax extended headers where ustar falls short) writer and
 * reader, enough to stream a model version as an archive and to unpack one safely.
 *
 * Writer: headers are built up front (so the exact archive size is known before the first byte),
 * file contents are streamed between them by the caller. Names that do not fit ustar's 100+155
 * byte fields, names that are not ASCII, and sizes of 8 GiB and more get a pax `x` header.
 *
 * Reader: regular files, directories and pax/GNU long-name headers; every other entry type
 * (links, devices, FIFOs) is reported to the caller, which refuses it.
 */

export const BLOCK = 512;
/** Two zero blocks end an archive. */
export const TAR_TRAILER = Buffer.alloc(2 * BLOCK);

/** The largest size ustar's 11 octal digits hold. */
const USTAR_MAX_SIZE = 0o77777777777;

export interface TarEntry {
  /** Relative, `/`-separated; a directory without the trailing slash. */
  readonly path: string;
  readonly type: 'file' | 'dir';
  /** Bytes of a file; 0 for a directory. */
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return value.toString(8).padStart(width - 1, '0');
}

/** One pax record, `<len> <key>=<value>\n`, where len counts the whole record in bytes. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return Buffer.from(`${len}${body}`);
}

function isAscii(s: string): boolean {
  return /^[\u0020-\u007e]*$/.test(s);
}

/** Splits a long ASCII name into ustar's prefix (≤155) and name (≤100) at a slash, if possible. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (name.length <= 100) return { prefix: '', name };
  for (let i = name.length - 1; i >= 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (rest.length === 0 || rest.length > 100) return undefined;
    if (prefix.length <= 155) return { prefix, name: rest };
  }
  return undefined;
}

function headerBlock(fields: {
  name: string;
  prefix: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
}): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(fields.name, 0, 100, 'utf8');
  h.write(octal(fields.mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(fields.size, 12), 124, 12, 'ascii');
  h.write(octal(Math.max(0, Math.floor(fields.mtime)), 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces while summing
  h.write(fields.typeflag, 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** The header block(s) of one entry: a pax header first when ustar cannot hold the name or size. */
export function tarHeader(entry: TarEntry): Buffer {
  const fullName = entry.type === 'dir' ? `${entry.path}/` : entry.path;
  const records: Buffer[] = [];
  let split = isAscii(fullName) ? splitUstarName(fullName) : undefined;
  if (!split) {
    records.push(paxRecord('path', fullName));
    // An ASCII stand-in for readers without pax support.
    const fallback = fullName.replace(/[^\u0020-\u007e]/g, '_');
    split = { prefix: '', name: fallback.length > 100 ? fallback.slice(fallback.length - 100) : fallback };
  }
  const bigSize = entry.size > USTAR_MAX_SIZE;
  if (bigSize) records.push(paxRecord('size', String(entry.size)));
  const main = headerBlock({
    name: split.name,
    prefix: split.prefix,
    mode: entry.type === 'dir' ? 0o755 : 0o644,
    size: bigSize ? 0 : entry.size,
    mtime: entry.mtime,
    typeflag: entry.type === 'dir' ? '5' : '0',
  });
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  const paxHeader = headerBlock({
    name: 'PaxHeader',
    prefix: '',
    mode: 0o644,
    size: pax.length,
    mtime: entry.mtime,
    typeflag: 'x',
  });
  return Buffer.concat([paxHeader, pax, tarPadding(pax.length), main]);
}

/** Bytes of the whole archive for these entries, trailer included. */
export function tarSize(entries: readonly TarEntry[]): number {
  let total = TAR_TRAILER.length;
  for (const e of entries) {
    total += tarHeader(e).length;
    if (e.type === 'file') total += e.size + tarPadding(e.size).length;
  }
  return total;
}

// ---- reading ------------------------------------------------------------------------------------

export interface TarReadEntry {
  readonly path: string;
  /** The raw typeflag: '0' (or NUL) file, '5' directory, anything else something else. */
  readonly typeflag: string;
  readonly size: number;
  readonly mode: number;
}

export interface TarSink {
  /** Called for each entry before its content; throw to stop reading. */
  entry(entry: TarReadEntry): Promise<void> | void;
  /** A piece of the current entry's content. */
  data(chunk: Buffer): Promise<void> | void;
  /** The current entry's content is complete. */
  end(): Promise<void> | void;
}

export class TarFormatError extends Error {
  override name = 'TarFormatError';
}

function readString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}

function readNumber(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if ((field[0] as number) & 0x80) {
    // GNU base-256: big-endian, the top bit of the first byte is the marker.
    let value = (field[0] as number) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] as number);
    return value;
  }
  const text = field.toString('ascii').replace(/[\u0000 ]+$/g, '').replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError('Malformed tar header: bad number field');
  return parseInt(text, 8);
}

function parsePax(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(buf.subarray(pos, space).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || pos + len > buf.length) throw new TarFormatError('Malformed pax header');
    const record = buf.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/** Largest pax or GNU long-name header accepted: names, not payloads, live there. */
const MAX_META_ENTRY = 1024 * 1024;

type ReadState =
  | { readonly kind: 'header' }
  | { readonly kind: 'done' }
  | { kind: 'file' | 'meta' | 'skip'; remaining: number; padding: number; readonly metaType?: string };

/**
 * Reads an uncompressed tar stream, handing entries to `sink` in order. Content is delivered with
 * backpressure: the next chunk waits until `sink.data` settles. A stream that stops on an entry
 * boundary without the two zero blocks is accepted, as tar does; one cut inside an entry is not.
 */
export async function readTar(source: AsyncIterable<Buffer>, sink: TarSink): Promise<void> {
  let state: ReadState = { kind: 'header' };
  let pending: Buffer = Buffer.alloc(0);
  let pos = 0;
  let meta: Buffer[] = [];
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let zeroBlocks = 0;

  const onHeader = async (block: Buffer): Promise<ReadState> => {
    if (block.every((b) => b === 0)) {
      zeroBlocks += 1;
      return zeroBlocks === 2 ? { kind: 'done' } : { kind: 'header' };
    }
    zeroBlocks = 0;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    if (readNumber(block, 148, 8) !== sum) throw new TarFormatError('Malformed tar header: checksum mismatch');
    const typeflag = block[156] === 0 ? '0' : String.fromCharCode(block[156] as number);
    const size = readNumber(block, 124, 12);
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L') {
      if (size > MAX_META_ENTRY) throw new TarFormatError('Malformed tar: oversized extended header');
      meta = [];
      return { kind: 'meta', remaining: size, padding: tarPadding(size).length, metaType: typeflag };
    }
    let name = readString(block, 0, 100);
    if (block.subarray(257, 262).toString('ascii') === 'ustar') {
      const prefix = readString(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (longName !== undefined) name = longName;
    name = pax.get('path') ?? name;
    const paxSize = pax.get('size');
    const realSize = paxSize !== undefined ? Number(paxSize) : size;
    if (!Number.isSafeInteger(realSize) || realSize < 0) throw new TarFormatError('Malformed tar: bad size');
    pax = new Map();
    longName = undefined;
    // Links, devices, directories and FIFOs have no content, whatever their size field says.
    const hasContent = !['1', '2', '3', '4', '5', '6'].includes(typeflag);
    const contentSize = hasContent ? realSize : 0;
    await sink.entry({ path: name, typeflag, size: contentSize, mode: readNumber(block, 100, 8) });
    return { kind: 'file', remaining: contentSize, padding: tarPadding(contentSize).length };
  };

  const available = () => pending.length - pos;

  const step = async (): Promise<boolean> => {
    if (state.kind === 'done') {
      pos = pending.length;
      return false;
    }
    if (state.kind === 'header') {
      if (available() < BLOCK) return false;
      const block = pending.subarray(pos, pos + BLOCK);
      pos += BLOCK;
      state = await onHeader(block);
      return true;
    }
    const body = state;
    if (body.remaining > 0) {
      if (available() === 0) return false;
      const take = Math.min(body.remaining, available());
      const piece = pending.subarray(pos, pos + take);
      pos += take;
      body.remaining -= take;
      if (body.kind === 'file') await sink.data(piece);
      else if (body.kind === 'meta') meta.push(Buffer.from(piece));
      return true;
    }
    if (body.padding > 0) {
      if (available() === 0) return false;
      const skip = Math.min(body.padding, available());
      pos += skip;
      body.padding -= skip;
      return true;
    }
    if (body.kind === 'file') await sink.end();
    if (body.kind === 'meta') {
      const buf = Buffer.concat(meta);
      meta = [];
      if (body.metaType === 'x') pax = parsePax(buf);
      else if (body.metaType === 'L') longName = readString(buf, 0, buf.length);
    }
    state = { kind: 'header' };
    return true;
  };

  for await (const chunk of source) {
    pending = available() === 0 ? chunk : Buffer.concat([pending.subarray(pos), chunk]);
    pos = 0;
    while (await step()) {
      // keep going while there is something to do
    }
    if ((state as ReadState).kind === 'done') return;
  }
  // step() completes an entry as soon as it needs no more bytes, so anything but a clean header
  // boundary here means the stream was cut.
  const last = state as ReadState;
  if (last.kind === 'done' || (last.kind === 'header' && available() === 0)) return;
  throw new TarFormatError('Truncated tar archive');
}
