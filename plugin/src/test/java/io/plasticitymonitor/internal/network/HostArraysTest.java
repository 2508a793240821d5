package io.plasticitymonitor.internal.network;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link HostArrays.Reader}: copies and transposes equal ND4J's own, on every path. */
class HostArraysTest {

  @Test
  void copiesAndTransposesEqualNd4jsForFloatDoubleAndViews() {
    HostArrays.Reader reader = new HostArrays.Reader(); // one reader: its buffers serve every call
    // 70 rows (two tiles and a part), 45 columns (one tile and a part); the float one is longer
    // than one block of the plain copy.
    for (INDArray a :
        new INDArray[] {
          Nd4j.rand(DataType.FLOAT, 70, 45),
          Nd4j.rand(DataType.DOUBLE, 70, 45),
          Nd4j.rand(DataType.FLOAT, 300, 400),
          Nd4j.rand(DataType.FLOAT, 90, 60).get(NDArrayIndex.interval(5, 75), NDArrayIndex.all()),
          Nd4j.rand(DataType.FLOAT, 3, 4, 5, 6) // a convolution's [nOut, nIn, kH, kW]
        }) {
      int rows = (int) a.size(0);
      int cols = (int) (a.length() / rows);
      INDArray m = a.dup('c').reshape('c', rows, cols).castTo(DataType.DOUBLE);
      assertThat(reader.copy(a)).containsExactly(m.dup('c').data().asDouble());
      assertThat(reader.transposed(a, rows, cols))
          .containsExactly(m.transpose().dup('c').data().asDouble());
    }
  }
}
