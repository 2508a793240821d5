package io.plasticitymonitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The probe reservoir copies whole examples, by the bulk path and by ND4J's, to the same values.
 */
class ProbeSamplerTest {

  /** {@code rows × 2 × 3} with example {@code i} holding {@code 100·(first + i) + position}. */
  private static INDArray examples(DataType type, int first, int rows) {
    INDArray a = Nd4j.create(type, rows, 2, 3);
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < 6; k++) {
        a.putScalar(new long[] {i, k / 3, k % 3}, 100.0 * (first + i) + k);
      }
    }
    return a;
  }

  @Test
  void untilFullEveryExampleIsKeptInOrderWhateverTheLayout() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
      ProbeSampler sampler = new ProbeSampler(8, 1);
      sampler.offer(new INDArray[] {examples(type, 0, 3)}); // contiguous: the bulk copy
      INDArray larger = examples(type, 0, 6);
      INDArray view =
          larger.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all(), NDArrayIndex.all());
      assertThat(view.isView()).isTrue();
      sampler.offer(new INDArray[] {view}); // a view: ND4J's assign
      INDArray[] sample = sampler.sample();
      assertThat(sample[0].shape()).containsExactly(6, 2, 3);
      assertThat(sample[0].dataType()).isEqualTo(type);
      for (int i = 0; i < 6; i++) {
        for (int k = 0; k < 6; k++) {
          assertThat(sample[0].getDouble(i, k / 3, k % 3))
              .as("%s example %d value %d", type, i, k)
              .isEqualTo(100.0 * i + k);
        }
      }
    }
  }

  @Test
  void onceFullItHoldsOnlyWholeOfferedExamples() {
    ProbeSampler sampler = new ProbeSampler(4, 7);
    for (int b = 0; b < 50; b++) {
      sampler.offer(new INDArray[] {examples(DataType.FLOAT, 10 * b, 10)});
    }
    INDArray s = sampler.sample()[0];
    assertThat(s.size(0)).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      double base = s.getDouble(i, 0, 0);
      assertThat(base % 100).isZero();
      for (int k = 0; k < 6; k++) {
        assertThat(s.getDouble(i, k / 3, k % 3)).isEqualTo(base + k); // no torn example
      }
    }
    // After 500 examples, the reservoir has moved on from the first batch (probability 1 − ~1e-7).
    assertThat(
            s.getDouble(0, 0, 0) >= 1000
                || s.getDouble(1, 0, 0) >= 1000
                || s.getDouble(2, 0, 0) >= 1000
                || s.getDouble(3, 0, 0) >= 1000)
        .isTrue();
  }
}
