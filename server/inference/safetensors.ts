// Writes the safetensors format (8-byte little-endian header length, JSON header, raw tensor
// bytes): how precomputed IP-Adapter embeddings travel to the worker.
export interface F32Tensor {
  shape: number[];
  data: Float32Array;
}

export function writeSafetensors(
  tensors: Record<string, F32Tensor>,
  metadata?: Record<string, string>,
): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(
        `tensor ${name}: shape ${t.shape.join('×')} does not hold ${t.data.length} values`,
      );
    header[name] = {
      dtype: 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  // Pad the header with spaces to 8 bytes so tensor data stays aligned.
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const body = names.map((n) => {
    const d = tensors[n]!.data;
    // Float32Array is little-endian on every platform Node runs on that we support.
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  });
  return Buffer.concat([len, json, ...body]);
}
