package io.plasticitymonitor.sample;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.Column.Overflow;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Usage help that wraps lines at spaces only. Picocli wraps where {@link java.text.BreakIterator}'s
 * line instance allows, and the JDK's allows a break after every {@code .}, {@code /} and {@code :}
 * inside a word, which cuts file names and URLs in two ({@code tasks.} / {@code jsonl}, {@code
 * http://127.} / {@code 0.0.1:9091}) for a reader to copy back together. Here a word is only cut
 * when it is wider than its column.
 */
final class WordWrapHelp extends Help {
  WordWrapHelp(CommandSpec spec, ColorScheme colorScheme) {
    super(spec, colorScheme);
  }

  @Override
  public Layout createDefaultLayout(
      List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
    int longOptions = calcLongOptionColumnWidth(options, positionals, scheme);
    // The columns of TextTable.forDefaultColumns.
    TextTable table =
        new SpaceWrappingTable(
            scheme,
            new Column(2, 0, Overflow.TRUNCATE),
            new Column(2, 0, Overflow.SPAN),
            new Column(1, 0, Overflow.TRUNCATE),
            new Column(longOptions, 1, Overflow.SPAN),
            new Column(width() - 5 - longOptions, 1, Overflow.WRAP));
    return new Layout(
        scheme, table, createDefaultOptionRenderer(), createDefaultParameterRenderer());
  }

  @Override
  public String description(Object... params) {
    return paragraphs(commandSpec().usageMessage().description(), params);
  }

  @Override
  public String header(Object... params) {
    return paragraphs(commandSpec().usageMessage().header(), params);
  }

  @Override
  public String footer(Object... params) {
    return paragraphs(commandSpec().usageMessage().footer(), params);
  }

  @Override
  public String commandList(Map<String, Help> subcommands) {
    if (subcommands.isEmpty()) {
      return "";
    }
    int nameWidth =
        Math.min(
                width() / 2, subcommands.keySet().stream().mapToInt(String::length).max().orElse(0))
            + 2;
    // The columns of Help.commandList.
    SpaceWrappingTable table =
        new SpaceWrappingTable(
            colorScheme(),
            new Column(nameWidth, 2, Overflow.SPAN),
            new Column(width() - nameWidth, 2, Overflow.WRAP));
    for (Help help : subcommands.values()) {
      UsageMessageSpec usage = help.commandSpec().usageMessage();
      String[] first = usage.header().length > 0 ? usage.header() : usage.description();
      Text[] lines =
          colorScheme().text(first.length > 0 ? String.format(first[0]) : "").splitLines();
      for (int i = 0; i < lines.length; i++) {
        table.addRowValues(i == 0 ? help.commandNamesText(", ") : colorScheme().text(""), lines[i]);
      }
    }
    return table.toString();
  }

  private int width() {
    return commandSpec().usageMessage().width();
  }

  private String paragraphs(String[] lines, Object... params) {
    if (lines == null || lines.length == 0) {
      return "";
    }
    SpaceWrappingTable table =
        new SpaceWrappingTable(colorScheme(), new Column(width(), 0, Overflow.SPAN));
    table.indentWrappedLines = 0;
    for (String line : lines) {
      table.addRowValues(String.format(line, params));
    }
    return table.toString();
  }

  /** A text table whose wrapping columns break lines at spaces. */
  static final class SpaceWrappingTable extends TextTable {
    private final ColorScheme scheme;

    SpaceWrappingTable(ColorScheme scheme, Column... columns) {
      super(scheme, columns);
      this.scheme = scheme;
    }

    @Override
    public Cell putValue(int row, int col, Text value) {
      Column[] columns = columns();
      Column column = columns[col];
      boolean wraps =
          column.overflow == Overflow.WRAP
              || (column.overflow == Overflow.SPAN && col == columns.length - 1);
      if (!wraps || value == null || value.plainString().isEmpty()) {
        return super.putValue(row, col, value);
      }
      Text rest = value;
      int r = row;
      String indent = "";
      while (true) {
        String plain = rest.plainString();
        int room = column.width - column.indent - indent.length();
        int cut = plain.length() <= room ? plain.length() : breakBefore(plain, room);
        // The piece fits its row, so the superclass writes it whole, without breaking it.
        super.putValue(r, col, scheme.text(indent).concat(rest.substring(0, cut)));
        int next = cut;
        while (next < plain.length() && plain.charAt(next) == ' ') {
          next++;
        }
        if (next >= plain.length()) {
          return new Cell(col, r);
        }
        rest = rest.substring(next);
        indent = " ".repeat(indentWrappedLines);
        addEmptyRow();
        r++;
      }
    }

    /** Where to end a line of at most {@code room} characters: at its last space, else mid-word. */
    private static int breakBefore(String plain, int room) {
      int space = plain.lastIndexOf(' ', room);
      while (space > 0 && plain.charAt(space - 1) == ' ') {
        space--;
      }
      return space > 0 ? space : Math.max(1, room);
    }
  }
}
