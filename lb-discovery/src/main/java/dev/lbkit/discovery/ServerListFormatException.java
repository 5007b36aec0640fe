package dev.lbkit.discovery;

/**
 * A server list file that does not parse, with the position of the first error.
 *
 * <p>The message reads {@code servers.txt:3:14: weight must be in [1, 1000000], was 0}: the
 * source name, the 1-based line and column, and what is wrong.
 */
public final class ServerListFormatException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String sourceName;
  private final int line;
  private final int column;
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param sourceName the file name or another label for the text
   * @param line 1-based line of the error
   * @param column 1-based column of the error
   * @param reason what is wrong, naming the field and the value
   */
  public ServerListFormatException(String sourceName, int line, int column, String reason) {
    super(sourceName + ":" + line + ":" + column + ": " + reason);
    this.sourceName = sourceName;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }

  /** The file name or label given to the parser. */
  public String sourceName() {
    return sourceName;
  }

  /** The 1-based line of the error. */
  public int line() {
    return line;
  }

  /** The 1-based column of the error. */
  public int column() {
    return column;
  }

  /** What is wrong, without the position. */
  public String reason() {
    return reason;
  }
}
