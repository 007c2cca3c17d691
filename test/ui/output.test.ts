import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommonOptions } from '../../src/options.js';
import { Output } from '../../src/ui/output.js';

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

describe('Output decides colour for each stream', () => {
  it('colours stdout on a terminal and leaves redirected stderr plain', async () => {
    const stdout = sink();
    const stderr = sink();
    const out = await Output.create({ color: true, colorErr: false, stdout, stderr } as unknown as CommonOptions);
    out.result(out.style.red('result'));
    out.message(out.style.red('message'));
    expect(stdout.text).toBe('\u001b[31mresult\u001b[39m\n');
    expect(stderr.text).toBe('message\n');
  });

  it('writes plain text when neither stream has colour', async () => {
    const stdout = sink();
    const stderr = sink();
    const out = await Output.create({ color: false, colorErr: false, stdout, stderr } as unknown as CommonOptions);
    out.result(out.style.bold('x'));
    out.message(out.style.bold('y'));
    expect(stdout.text + stderr.text).toBe('x\ny\n');
  });
});
