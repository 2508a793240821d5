package io.plasticitymonitor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, and the public surface: a new public type, or a type
 * that stops being public, fails here until this list says so.
 */
class ArchitectureTest {
  private static final String ROOT = "io.plasticitymonitor";
  private static JavaClasses classes;

  @BeforeAll
  static void importPlugin() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
    assertThat(classes).as("the plugin's classes were found").hasSizeGreaterThan(50);
  }

  @Test
  void analysisIsPureNumerics() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".analysis..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.deeplearning4j..", "io.micrometer..", "com.google.inject..", "com.fasterxml..")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT, ROOT + ".report..", ROOT + ".remedy..", ROOT + ".internal..")
        .check(classes);
  }

  @Test
  void reportsAreValuesOverTheAnalysis() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".report..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.deeplearning4j..", "org.nd4j..", "io.micrometer..", "com.google.inject..")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT, ROOT + ".remedy..", ROOT + ".internal..")
        .check(classes);
  }

  @Test
  void onlyTheNetworkPackageAndTheListenerKnowDl4jModels() {
    noClasses()
        .that()
        .resideInAnyPackage(ROOT + ".report..", ROOT + ".internal.export..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.deeplearning4j..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".internal.network..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..", "com.google.inject..")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(
            ROOT, ROOT + ".report..", ROOT + ".remedy..", ROOT + ".internal.export..")
        .check(classes);
  }

  @Test
  void sinksKnowReportsNotTheListener() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".internal.export..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.google.inject..")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT, ROOT + ".remedy..", ROOT + ".internal.network..")
        .check(classes);
  }

  @Test
  void remediesActThroughTheNetworkPackage() {
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".remedy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..", "com.google.inject..")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT, ROOT + ".report..", ROOT + ".internal.export..")
        .check(classes);
  }

  @Test
  void noPackageCycles() {
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void thePublicTypesAreTheApi() {
    TreeSet<String> published = new TreeSet<>();
    for (JavaClass c : classes) {
      if (!c.getPackageName().contains(".internal") && visible(c)) {
        published.add(c.getName().substring(ROOT.length() + 1));
      }
    }
    assertThat(published)
        .containsExactly(
            // A fresh network's result on a task, given with it or computed by FreshBaseline.
            "Baseline",
            "FreshBaseline",
            "ModelAnalysis",
            "PlasticityConfig",
            "PlasticityConfig$Builder",
            "PlasticityConfig$ExistingRun",
            "PlasticityListener",
            "PlasticityMonitorModule",
            "PlasticityMonitors",
            "SymmetryDetector",
            "TaskData",
            "TaskData$Builder",
            // The analysis's results, the layer a detector reads, its thresholds and its entry
            // point.
            "analysis.ActivationMeasures",
            // The direct measures of plasticity, used by the network, report and root packages.
            "analysis.FreshNetworkGap",
            "analysis.LayerAnalyzer",
            // The working arrays the root package's analysis reuses from layer to layer.
            "analysis.LayerAnalyzer$Buffers",
            "analysis.LayerData",
            "analysis.LayerData$Normalised",
            "analysis.LayerMeasures",
            "analysis.Percentiles",
            "analysis.RankMeasures",
            "analysis.RecurrentLayerData",
            "analysis.RollingMean",
            "analysis.StepImprovement",
            "analysis.Thresholds",
            "analysis.UnitMeasures",
            // Public only because the listener, in another package, drives it: no public
            // constructor.
            "remedy.RemedyRunner",
            "remedy.RemedySettings",
            "remedy.RemedySettings$ContinualBackprop",
            "remedy.RemedySettings$L2Init",
            "remedy.RemedySettings$Redo",
            "remedy.RemedySettings$ShrinkPerturb",
            "remedy.RemedySettings$Syre",
            "report.LayerSummary",
            "report.PlasticityReport",
            "report.Sink",
            "report.TaskSummary");
  }

  /** Public, and so are the classes it is nested in. */
  private static boolean visible(JavaClass c) {
    for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
      if (!k.get().getModifiers().contains(JavaModifier.PUBLIC) || k.get().isAnonymousClass()) {
        return false;
      }
    }
    return true;
  }
}
