package io.plasticitymonitor.sample;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The continual-learning scenarios: how one data set is cut into a sequence of tasks. */
enum Scenario {
  /** Each task a fixed random pixel permutation of MNIST; the first task the identity. */
  PERMUTED_MNIST("permuted-mnist", false, Integer.MAX_VALUE),
  /** Class-incremental MNIST: task k holds only classes 2k-2 and 2k-1 (at most 5 tasks). */
  SPLIT_MNIST("split-mnist", false, 5),
  /** As permuted-mnist, on Fashion-MNIST. */
  PERMUTED_FASHION("permuted-fashion", true, Integer.MAX_VALUE);

  private final String cliName;
  private final boolean fashion;
  private final int maxTasks;

  Scenario(String cliName, boolean fashion, int maxTasks) {
    this.cliName = cliName;
    this.fashion = fashion;
    this.maxTasks = maxTasks;
  }

  /** The name on the command line, e.g. {@code permuted-mnist}. */
  String cliName() {
    return cliName;
  }

  boolean fashion() {
    return fashion;
  }

  boolean permuted() {
    return this != SPLIT_MNIST;
  }

  /** The most tasks the scenario can make. */
  int maxTasks() {
    return maxTasks;
  }

  static String names() {
    return Arrays.stream(values()).map(Scenario::cliName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return cliName;
  }

  /** picocli converter that accepts the command-line names. */
  static final class Converter implements ITypeConverter<Scenario> {
    @Override
    public Scenario convert(String value) {
      for (Scenario s : values()) {
        if (s.cliName.equals(value)) {
          return s;
        }
      }
      throw new TypeConversionException(
          "unknown scenario '" + value + "' (choose one of: " + names() + ")");
    }
  }
}
