package dev.minnow.zoo.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code k} largest values of a vector with their indices, largest first (ties: lower index
 * first; NaN ranks below every number): how classifier outputs are read.
 *
 * @param index position in the vector
 * @param value the value there
 */
record TopK(int index, float value) {

    static List<TopK> of(float[] values, int k) {
        List<TopK> best = new ArrayList<>(k + 1);
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            int at = best.size();
            while (at > 0 && greater(v, best.get(at - 1).value())) {
                at--;
            }
            if (at < k) {
                best.add(at, new TopK(i, v));
                if (best.size() > k) {
                    best.remove(k);
                }
            }
        }
        return best;
    }

    private static boolean greater(float a, float b) {
        return !Float.isNaN(a) && (Float.isNaN(b) || a > b);
    }
}
