package io.clustermd.bitmap.format;

/**
 * Metadata that did not validate: names the on-disk field, the value found and what was expected,
 * so that an operator can tell a foreign disk from a corrupted one. Nothing is ever written over
 * metadata that raised this exception.
 */
public final class MetadataException extends RuntimeException {

  private final String structure;
  private final String field;
  private final String value;
  private final String expectation;

  public MetadataException(String structure, String field, Object value, String expectation) {
    super(structure + " field " + field + " = " + render(value) + ": " + expectation);
    this.structure = structure;
    this.field = field;
    this.value = render(value);
    this.expectation = expectation;
  }

  /** Which structure: "md superblock", "bitmap superblock (slot 2)", "member", ... */
  public String structure() {
    return structure;
  }

  /** The on-disk field name as the kernel spells it ({@code sb_csum}, {@code max_dev}, ...). */
  public String field() {
    return field;
  }

  /** The offending value, rendered as the message shows it. */
  public String value() {
    return value;
  }

  /** What the field should have held. */
  public String expectation() {
    return expectation;
  }

  /** Returns a copy whose message starts with where the metadata was read from (a path). */
  public MetadataException withLocation(String location) {
    MetadataException located =
        new MetadataException(location + ": " + structure, field, value, expectation);
    located.setStackTrace(getStackTrace());
    return located;
  }

  private static String render(Object value) {
    if (value instanceof Integer i) {
      return i + " (0x" + Integer.toHexString(i) + ")";
    }
    if (value instanceof Long l) {
      return l + " (0x" + Long.toHexString(l) + ")";
    }
    return String.valueOf(value);
  }
}
