package io.plasticitymonitor.remedy;

import io.plasticitymonitor.internal.network.UnitActivity;
import io.plasticitymonitor.internal.network.UnitSurgery;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one configured remedy (or none) for the listener: binds a separate instance to each network
 * it is called with (ParallelWrapper's workers train replicas, each on its own thread), feeds it
 * the training callbacks, and counts what it applies. A failure inside a remedy is reported to
 * {@link #onFailure} and never reaches the training loop.
 *
 * <p>Call {@link #forwardPass} from {@code onForwardPass}, {@link #afterIteration} from {@code
 * iterationDone} (after DL4J's update, before the next iteration) and {@link #taskStarted} between
 * tasks — all on the thread that trains that network.
 */
public final class RemedyRunner {
  private static final Logger LOG = LoggerFactory.getLogger(RemedyRunner.class);

  private final String name;
  private final Function<UnitSurgery, Remedy> factory;
  private final List<Bound> bound = new ArrayList<>();
  private final LongAdder applied = new LongAdder();
  private volatile LongConsumer onApplied = n -> {};
  private volatile BiConsumer<String, Throwable> onFailure =
      (what, e) -> LOG.warn("Plasticity monitor: {} failed; training continues", what, e);

  /** A remedy bound to one network, held weakly: networks are told apart by identity. */
  private record Bound(WeakReference<Model> model, UnitActivity activity, Remedy remedy) {}

  private RemedyRunner(String name, Function<UnitSurgery, Remedy> factory) {
    this.name = name;
    this.factory = factory;
  }

  /** The runner of the configured remedy, or of none (every call then does nothing). */
  public static RemedyRunner of(Optional<RemedySettings> settings) {
    if (settings.isEmpty()) {
      return new RemedyRunner(null, null);
    }
    RemedySettings r = settings.get();
    Function<UnitSurgery, Remedy> factory;
    if (r instanceof RemedySettings.Syre s) {
      factory = surgery -> new Syre(surgery, s.anchorScale(), s.seed());
    } else if (r instanceof RemedySettings.Redo s) {
      factory = surgery -> new Redo(surgery, s.every(), s.tau());
    } else if (r instanceof RemedySettings.ContinualBackprop s) {
      factory =
          surgery -> new ContinualBackprop(surgery, s.replacementRate(), s.maturity(), s.decay());
    } else if (r instanceof RemedySettings.L2Init s) {
      factory = surgery -> new L2Init(surgery, s.lambda());
    } else {
      RemedySettings.ShrinkPerturb s = (RemedySettings.ShrinkPerturb) r;
      factory = surgery -> new ShrinkPerturb(surgery, s.shrink(), s.noise());
    }
    return new RemedyRunner(r.name(), factory);
  }

  /** The remedy's name (the {@code remedy} tag), empty for none. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** Receives every positive count applied (to feed a counter). */
  public void onApplied(LongConsumer consumer) {
    this.onApplied = Objects.requireNonNull(consumer, "consumer");
  }

  /** Receives what failed and why (to log and count it). */
  public void onFailure(BiConsumer<String, Throwable> consumer) {
    this.onFailure = Objects.requireNonNull(consumer, "consumer");
  }

  /** Everything applied so far, over all networks: units re-initialised or arrays changed. */
  public long applied() {
    return applied.sum();
  }

  /** From a MultiLayerNetwork's {@code onForwardPass}. */
  public void forwardPass(Model model, List<INDArray> activations) {
    forwardPass(model, activity -> activity.meanAbsActivations(activations));
  }

  /** From a ComputationGraph's {@code onForwardPass}. */
  public void forwardPass(Model model, Map<String, INDArray> activations) {
    forwardPass(model, activity -> activity.meanAbsActivations(activations));
  }

  private void forwardPass(
      Model model,
      java.util.function.Function<UnitActivity, Map<String, double[]>> meanAbsActivations) {
    if (name == null) {
      return;
    }
    try {
      Bound b = bind(model);
      int iteration = UnitSurgery.iterationCount(model);
      if (b.remedy().wantsActivations(iteration)) {
        b.remedy().forwardPass(iteration, meanAbsActivations.apply(b.activity()));
      }
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      onFailure.accept("remedy " + name + " (forward pass)", e);
    }
  }

  /** From {@code iterationDone(model, iteration, epoch)}. */
  public void afterIteration(Model model, int iteration, int epoch) {
    if (name == null) {
      return;
    }
    try {
      count(bind(model).remedy().afterIteration(iteration, epoch));
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      onFailure.accept("remedy " + name + " (iteration " + iteration + ")", e);
    }
  }

  /** At the start of task {@code taskIndex} (1 for the first), with the network being trained. */
  public void taskStarted(Model model, int taskIndex) {
    if (name == null || model == null) {
      return;
    }
    try {
      count(bind(model).remedy().taskStarted(taskIndex));
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      onFailure.accept("remedy " + name + " (start of task " + taskIndex + ")", e);
    }
  }

  private void count(long n) {
    if (n > 0) {
      applied.add(n);
      onApplied.accept(n);
    }
  }

  private Bound bind(Model model) {
    synchronized (bound) {
      bound.removeIf(b -> b.model().get() == null);
      for (Bound b : bound) {
        if (b.model().get() == model) {
          return b;
        }
      }
      UnitSurgery surgery = UnitSurgery.of(model);
      LOG.info("Remedy {} acts on hidden layers {}", name, surgery.replaceableLayers());
      surgery.notes().forEach(n -> LOG.info("Remedy {}: {}", name, n));
      Bound b =
          new Bound(new WeakReference<>(model), new UnitActivity(surgery), factory.apply(surgery));
      bound.add(b);
      return b;
    }
  }
}
