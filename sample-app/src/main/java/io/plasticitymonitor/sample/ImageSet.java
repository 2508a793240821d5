package io.plasticitymonitor.sample;

import java.util.Objects;

/**
 * A set of labelled images held as plain arrays: {@code pixels[i * features + f]} in [0, 1], row
 * {@code i} the {@code i}-th image, and {@code labels[i]} its class in 0..9.
 *
 * @param pixels row-major {@code [size, features]}; not copied, callers must not modify it
 * @param labels class of each image
 * @param features pixels per image (784 for MNIST)
 */
record ImageSet(float[] pixels, int[] labels, int features) {
  static final int CLASSES = 10;

  ImageSet {
    Objects.requireNonNull(pixels, "pixels");
    Objects.requireNonNull(labels, "labels");
    if (features <= 0 || pixels.length != (long) labels.length * features) {
      throw new IllegalArgumentException(
          "pixels has "
              + pixels.length
              + " values, expected "
              + labels.length
              + " images * "
              + features
              + " features");
    }
    for (int label : labels) {
      if (label < 0 || label >= CLASSES) {
        throw new IllegalArgumentException("label out of range 0..9 (got: " + label + ")");
      }
    }
  }

  int size() {
    return labels.length;
  }
}
