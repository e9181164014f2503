// IP-Adapter embeddings of a library image, computed once at upload and kept beside it as the
// .safetensors files a generation job hands the worker instead of the image (so the worker
// never runs its CLIP encoder for library references).
import { configuredEncoder, embedImage, zeroImageEmbeddings } from '../inference/clip';
import { writeSafetensors } from '../inference/safetensors';
import { storage, storageKeys } from '../storage';

export type IpAdapterVariant = 'base' | 'plus';

export function embeddingKey(
  userId: string,
  sha256: string,
  encoder: string,
  variant: IpAdapterVariant,
): string {
  return `${storageKeys.referenceDerived(userId, sha256)}embeds-${encoder}-${variant}.safetensors`;
}

/** Computes and stores both variants; returns the base vector for the database row. */
export async function storeEmbeddings(userId: string, sha256: string, png: Buffer) {
  const enc = configuredEncoder();
  if (!enc) return null;
  const [pos, zero] = await Promise.all([embedImage(enc, png), zeroImageEmbeddings(enc)]);
  const meta = { encoder: enc.name, producer: 'adapter-studio web tier (onnxruntime-node)' };
  // Base: the negative is a zero embedding (as diffusers does); Plus: the encoder's output for
  // an all-zeros image.
  const base = writeSafetensors(
    {
      image_embeds: pos.imageEmbeds,
      negative_image_embeds: {
        shape: pos.imageEmbeds.shape,
        data: new Float32Array(pos.imageEmbeds.data.length),
      },
    },
    meta,
  );
  const plus = writeSafetensors(
    { image_embeds: pos.penultimate, negative_image_embeds: zero.penultimate },
    meta,
  );
  await Promise.all([
    storage().put(embeddingKey(userId, sha256, enc.name, 'base'), base, 'application/octet-stream'),
    storage().put(embeddingKey(userId, sha256, enc.name, 'plus'), plus, 'application/octet-stream'),
  ]);
  const v = pos.imageEmbeds.data;
  const vector = new Uint8Array(new ArrayBuffer(v.byteLength));
  vector.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return { model: enc.name, vector };
}
