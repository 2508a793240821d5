package io.plasticitymonitor.sample;

/** A data set the run needs is missing or damaged; the message says how to get it. */
final class DataUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  DataUnavailableException(String message) {
    super(message);
  }

  DataUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
