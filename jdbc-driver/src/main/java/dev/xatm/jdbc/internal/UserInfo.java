package dev.xatm.jdbc.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * The user-info of a URL authority ({@code //user:password@host}), split and percent-decoded as RFC
 * 3986 section 3.2.1 defines it: the authority runs from {@code //} to the first {@code /}, {@code
 * ?}, {@code #} or {@code ;}; the user-info is what precedes its last {@code @}; the user ends at
 * the first {@code :}. So {@code @} and {@code :} may appear unencoded in the password, while
 * {@code /}, {@code ?}, {@code #} and {@code %} must be percent-encoded.
 *
 * <p>For PostgreSQL and MariaDB/MySQL URLs, whose host part never contains {@code @}, an {@code @}
 * after the authority means a password with an unencoded {@code /}: that is refused rather than
 * guessed, and no message shows what stands before that {@code @}.
 *
 * <p>Immutable. {@link #toString()} shows no credential.
 *
 * @param user decoded user, or {@code null} when the user-info has none
 * @param password decoded password, or {@code null} when the user-info has no {@code :}
 * @param baseWithout the URL base without the user-info
 * @param baseHidden the URL base with the user-info replaced by {@code ***}, for messages
 */
record UserInfo(String user, String password, String baseWithout, String baseHidden) {

  /**
   * The user-info of {@code base} (the URL after {@code jdbc:xa:} up to its parameters), or null
   * when it has none.
   *
   * @throws SQLException SQLState 08001: malformed percent-encoding, or an {@code @} after the host
   *     part of a PostgreSQL or MariaDB/MySQL URL; the message hides the user-info
   */
  static UserInfo split(String url, String base, Vendor vendor) throws SQLException {
    int slashes = base.indexOf("//");
    if (slashes < 0) {
      return null;
    }
    int start = slashes + 2;
    int end = start;
    while (end < base.length() && "/?#;".indexOf(base.charAt(end)) < 0) {
      end++;
    }
    String authority = base.substring(start, end);
    int at = authority.lastIndexOf('@');
    String tail = url.substring(XaUrl.PREFIX.length() + base.length());
    int stray = base.lastIndexOf('@');
    if (stray >= end && hostNeverHasAt(vendor)) {
      String hidden = base.substring(0, start) + "***@" + base.substring(stray + 1);
      throw XaUrl.credentialsMalformed(
          XaUrl.PREFIX + hidden + tail,
          "an '@' follows the host part, which looks like a password with an unencoded '/'");
    }
    if (at < 0) {
      return null;
    }
    String info = authority.substring(0, at);
    String hostAndRest = authority.substring(at + 1) + base.substring(end);
    String baseHidden = base.substring(0, start) + "***@" + hostAndRest;
    int colon = info.indexOf(':');
    String user;
    String password;
    try {
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    } catch (CharacterCodingException | IllegalArgumentException e) {
      // Not the exception's text: it would quote the offending characters of the secret.
      throw XaUrl.credentialsMalformed(
          XaUrl.PREFIX + baseHidden + tail,
          "the user-info is not valid percent-encoded UTF-8 ('%' must be followed by two hex"
              + " digits)");
    }
    return new UserInfo(
        user.isEmpty() ? null : user, password, base.substring(0, start) + hostAndRest, baseHidden);
  }

  private static boolean hostNeverHasAt(Vendor vendor) {
    return vendor == Vendor.POSTGRESQL || vendor == Vendor.MARIADB || vendor == Vendor.MYSQL;
  }

  /** RFC 3986 percent-decoding to UTF-8; unlike URLDecoder, '+' stays '+'. */
  static String decode(String s) throws CharacterCodingException {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] != '%') {
        bytes.write(raw[i]);
        continue;
      }
      if (i + 2 >= raw.length) {
        throw new IllegalArgumentException("truncated escape");
      }
      int hi = Character.digit(raw[i + 1], 16);
      int lo = Character.digit(raw[i + 2], 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("bad escape");
      }
      bytes.write(hi * 16 + lo);
      i += 2;
    }
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes.toByteArray()))
        .toString();
  }

  @Override
  public String toString() {
    return "UserInfo[" + baseHidden + "]";
  }
}
