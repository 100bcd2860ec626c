package dev.minnow.compression.distill;

import dev.minnow.engine.data.ImageDataset;
import java.util.Arrays;

/**
 * Finds an image of a dataset by its pixels: an open-addressing hash table (linear probing) over a
 * 64-bit FNV-1a hash of the pixels' float bits, every candidate verified pixel by pixel, so a hash
 * collision can only cost a probe, never a wrong answer. Identical images share the first index.
 * Lookups allocate nothing.
 */
final class ImageIndex {
    private final float[] pixels;
    private final int per;
    private final long[] hashes;
    private final int[] slots;   // dataset index + 1; 0 = empty
    private final int mask;

    ImageIndex(ImageDataset data) {
        this.pixels = data.pixels();
        this.per = data.imageSize();
        int capacity = Integer.highestOneBit(Math.max(4, data.size()) * 2 - 1) * 2;   // load factor <= 1/2
        this.hashes = new long[capacity];
        this.slots = new int[capacity];
        this.mask = capacity - 1;
        for (int i = 0; i < data.size(); i++) {
            long h = hash(pixels, i * per, per);
            int s = (int) h & mask;
            while (slots[s] != 0 && !(hashes[s] == h && same(slots[s] - 1, pixels, i * per))) {
                s = (s + 1) & mask;
            }
            if (slots[s] == 0) {
                hashes[s] = h;
                slots[s] = i + 1;
            }
        }
    }

    /** Pixels per image. */
    int imageSize() {
        return per;
    }

    /** The index of the dataset image equal to {@code src[offset .. offset + imageSize)}, or -1. */
    int find(float[] src, int offset) {
        long h = hash(src, offset, per);
        for (int s = (int) h & mask; slots[s] != 0; s = (s + 1) & mask) {
            if (hashes[s] == h && same(slots[s] - 1, src, offset)) {
                return slots[s] - 1;
            }
        }
        return -1;
    }

    private boolean same(int index, float[] src, int offset) {
        return Arrays.equals(pixels, index * per, (index + 1) * per, src, offset, offset + per);
    }

    /** FNV-1a over the floats' bits ({@link Float#floatToIntBits}, the equality {@link Arrays#equals} uses). */
    static long hash(float[] a, int offset, int length) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++) {
            h = (h ^ Float.floatToIntBits(a[offset + i])) * 0x100000001b3L;
        }
        return h ^ (h >>> 32);
    }
}
