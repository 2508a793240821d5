package io.plasticitymonitor.sample;

import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batches of one task's examples held in memory, reshuffled at every {@link #reset()} with its
 * own seeded generator (so a run is repeatable), or in fixed order for evaluation.
 */
final class ArrayIterator implements DataSetIterator {
  private static final long serialVersionUID = 1L;

  private final INDArray features;
  private final INDArray labels;
  private final int batch;
  private final Random shuffle;
  private int[] order;
  private int cursor;
  private transient DataSetPreProcessor preProcessor;

  /**
   * @param features {@code [n, features]}
   * @param labels one-hot {@code [n, classes]}
   * @param batch examples per mini-batch (the last one may be smaller)
   * @param shuffle generator for the order of each pass, or null for a fixed order
   */
  ArrayIterator(INDArray features, INDArray labels, int batch, Random shuffle) {
    if (features.size(0) != labels.size(0)) {
      throw new IllegalArgumentException(
          "features have " + features.size(0) + " rows, labels " + labels.size(0));
    }
    if (batch <= 0) {
      throw new IllegalArgumentException("batch must be positive (got: " + batch + ")");
    }
    this.features = features;
    this.labels = labels;
    this.batch = batch;
    this.shuffle = shuffle;
    reset();
  }

  int examples() {
    return (int) features.size(0);
  }

  @Override
  public DataSet next(int num) {
    if (!hasNext()) {
      throw new java.util.NoSuchElementException("no more mini-batches; call reset()");
    }
    int end = Math.min(cursor + num, order.length);
    int[] rows = java.util.Arrays.copyOfRange(order, cursor, end);
    cursor = end;
    INDArray x = features.getRows(rows);
    INDArray y = labels.getRows(rows);
    DataSet ds = new DataSet(x, y);
    if (preProcessor != null) {
      preProcessor.preProcess(ds);
    }
    return ds;
  }

  @Override
  public DataSet next() {
    return next(batch);
  }

  @Override
  public boolean hasNext() {
    return cursor < order.length;
  }

  @Override
  public void reset() {
    int n = examples();
    order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle != null) {
      for (int i = n - 1; i > 0; i--) {
        int j = shuffle.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    cursor = 0;
  }

  @Override
  public int inputColumns() {
    return (int) features.size(1);
  }

  @Override
  public int totalOutcomes() {
    return (int) labels.size(1);
  }

  @Override
  public boolean resetSupported() {
    return true;
  }

  @Override
  public boolean asyncSupported() {
    return false;
  }

  @Override
  public int batch() {
    return batch;
  }

  @Override
  public void setPreProcessor(DataSetPreProcessor preProcessor) {
    this.preProcessor = preProcessor;
  }

  @Override
  public DataSetPreProcessor getPreProcessor() {
    return preProcessor;
  }

  @Override
  public List<String> getLabels() {
    return null;
  }

  @Override
  public void remove() {
    throw new UnsupportedOperationException();
  }

  /** One-hot rows for {@code labels} over {@code classes} classes. */
  static INDArray oneHot(int[] labels, int classes) {
    float[] data = new float[labels.length * classes];
    for (int i = 0; i < labels.length; i++) {
      data[i * classes + labels[i]] = 1f;
    }
    return Nd4j.create(data, new long[] {labels.length, classes}, 'c');
  }
}
