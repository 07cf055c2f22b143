import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintFile, MAX_RECORD_CHARS, neutralizeFormula, readCsvRecords, sniffDelimiter, writeRejectsFile } from '#shared/imports/csv-file.ts';
import { ImportInputError } from '#shared/imports/import-errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kinship-csv-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function records(path: string, delimiter: ',' | ';' = ',') {
  const out: { record: string[]; line: number }[] = [];
  for await (const { record, line } of readCsvRecords(path, delimiter)) out.push({ record, line });
  return out;
}

describe('reading CSV records', () => {
  it('strips a BOM, reads quoted delimiters, "" escapes and line breaks, and numbers lines where each record starts', async () => {
    const path = await fileWith('quoted.csv', '\ufefforder_id,name,note\r\nA,"Tent, 2 person","say ""hi"""\r\nB,"Two\nline",x\n\nC,plain,y\n');
    expect(await records(path)).toEqual([
      { record: ['order_id', 'name', 'note'], line: 1 },
      { record: ['A', 'Tent, 2 person', 'say "hi"'], line: 2 },
      { record: ['B', 'Two\nline', 'x'], line: 3 },
      { record: ['C', 'plain', 'y'], line: 6 },
    ]);
  });

  it('detects a semicolon file and reads it with its decimal commas intact', async () => {
    const path = await fileWith('semi.csv', 'order_id;price\nA;"12,50"\nB;1.234,00\n');
    expect(await sniffDelimiter(path)).toBe(';');
    expect((await records(path, ';')).map((r) => r.record)).toEqual([
      ['order_id', 'price'],
      ['A', '12,50'],
      ['B', '1.234,00'],
    ]);
  });

  it('stops with the line number when a quote is never closed', async () => {
    const path = await fileWith('broken.csv', 'a,b\n1,2\n3,"never closed\n4,5\n');
    await expect(records(path)).rejects.toThrow(ImportInputError);
    await expect(records(path)).rejects.toThrow(/quoted value is never closed/);
  });

  it('stops on a row longer than the record limit instead of buffering it whole', async () => {
    const path = await fileWith('huge.csv', `a,b\n1,"${'x'.repeat(MAX_RECORD_CHARS + 10)}"\n`);
    await expect(records(path)).rejects.toThrow(/a row is longer than 128 KB/);
  });

  it('fingerprints a file by its bytes', async () => {
    const a = await fingerprintFile(await fileWith('a.csv', 'x,y\n1,2\n'));
    const b = await fingerprintFile(await fileWith('b.csv', 'x,y\n1,2\n'));
    const c = await fingerprintFile(await fileWith('c.csv', 'x,y\n1,3\n'));
    expect(a).toEqual(b);
    expect(a.bytes).toBe(8);
    expect(c.sha256).not.toBe(a.sha256);
  });
});

describe('the rejects file', () => {
  it('keeps the header and each rejected row as it was, after its line number and reason', async () => {
    const source = await fileWith('src.csv', 'order_id;name\nA;"Tent; big"\nB;ok\nC;"say ""x"""\n');
    const rejects = join(dir, 'src.rejects.csv');
    await writeRejectsFile(
      rejects,
      source,
      ';',
      new Map([
        [2, 'qty: is empty'],
        [4, 'price: "a;b" is not a number'],
      ]),
    );
    expect(await readFile(rejects, 'utf8')).toBe(
      'rejected_line;reject_reason;order_id;name\r\n2;qty: is empty;A;"Tent; big"\r\n4;"price: ""a;b"" is not a number";C;"say ""x"""\r\n',
    );
  });

  it('neutralises cells a spreadsheet would run as a formula, and keeps plain negative numbers', async () => {
    const source = await fileWith('formula.csv', 'order_id,name,quantity,price\nA,=HYPERLINK("http://x"),-2,-19.90\nB,@SUM(1+1),+3,+cmd|x\n');
    const rejects = join(dir, 'formula.rejects.csv');
    await writeRejectsFile(
      rejects,
      source,
      ',',
      new Map([
        [2, 'bad'],
        [3, 'bad'],
      ]),
    );
    const [, a, b] = (await readFile(rejects, 'utf8')).split('\r\n');
    expect(a).toBe('2,bad,A,"\'=HYPERLINK(""http://x"")",-2,-19.90');
    expect(b).toBe("3,bad,B,'@SUM(1+1),+3,'+cmd|x");
    expect(['\t1', '\r1', '-x', '=1'].map(neutralizeFormula)).toEqual(["'\t1", "'\r1", "'-x", "'=1"]);
  });

  it("removes an earlier run's rejects file when nothing is rejected, but never an unrelated file", async () => {
    const source = await fileWith('clean.csv', 'order_id\nA\n');
    const stale = await fileWith('clean.rejects.csv', 'rejected_line,reject_reason,order_id\r\n2,x,A\r\n');
    await writeRejectsFile(stale, source, ',', new Map());
    await expect(readFile(stale, 'utf8')).rejects.toThrow(/ENOENT/);
    const unrelated = await fileWith('mine.csv', 'precious data\n');
    await writeRejectsFile(unrelated, source, ',', new Map());
    expect(await readFile(unrelated, 'utf8')).toBe('precious data\n');
  });
});
