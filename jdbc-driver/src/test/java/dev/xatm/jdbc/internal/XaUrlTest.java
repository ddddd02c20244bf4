package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.spi.ResourceDescriptor;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class XaUrlTest {

  @Test
  void postgresUrlSplitsIntoVendorUrlCredentialsSettingsAndSafeRecipe() throws SQLException {
    XaUrl u =
        XaUrl.parse(
            "jdbc:xa:postgresql://db1:5432/bank?user=app&password=s3cret&ssl=true"
                + "&xatm.maxPoolSize=7&sslpassword=k3y",
            null);
    assertEquals(Vendor.POSTGRESQL, u.vendor());
    assertEquals("jdbc:postgresql://db1:5432/bank?ssl=true&sslpassword=k3y", u.vendorUrl());
    assertEquals("jdbc:xa:postgresql://db1:5432/bank?ssl=true", u.safeUrl());
    assertEquals("app", u.user());
    assertEquals("s3cret", u.password());
    assertEquals(Map.of("maxPoolSize", "7"), u.settings());
    assertEquals(
        new ResourceDescriptor(
            "app@jdbc:xa:postgresql://db1:5432/bank?ssl=true",
            "jdbc:xa:postgresql://db1:5432/bank?ssl=true",
            "app"),
        u.descriptor());
    assertFalse(u.toString().contains("s3cret"), u.toString());
    assertFalse(u.descriptor().toString().contains("k3y"));
  }

  @Test
  void propertiesWinOverUrlParameters() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "other");
    p.setProperty("password", "pw2");
    p.setProperty("xatm.acquireTimeoutMs", "50");
    XaUrl u = XaUrl.parse("jdbc:xa:mariadb://h:3306/ledger?user=app&password=pw1", p);
    assertEquals("other", u.user());
    assertEquals("pw2", u.password());
    assertEquals("jdbc:mariadb://h:3306/ledger", u.vendorUrl());
    assertEquals("50", u.settings().get("acquireTimeoutMs"));
  }

  @Test
  void h2UsesSemicolonParameters() throws SQLException {
    XaUrl u = XaUrl.parse("jdbc:xa:h2:mem:orders;DB_CLOSE_DELAY=-1;USER=sa;PASSWORD=pw", null);
    assertEquals(Vendor.H2, u.vendor());
    assertEquals("jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1", u.vendorUrl());
    assertEquals("jdbc:xa:h2:mem:orders;DB_CLOSE_DELAY=-1", u.safeUrl());
    assertEquals("sa", u.user());
    assertEquals("pw", u.password());
  }

  @Test
  void mysqlUrlsAreServedByMariaDbConnector() throws SQLException {
    XaUrl u = XaUrl.parse("jdbc:xa:mysql://h:3306/shop?user=u", null);
    assertEquals(Vendor.MYSQL, u.vendor());
    assertEquals("jdbc:mariadb://h:3306/shop", u.vendorUrl());
    assertEquals(
        "jdbc:xa:mysql://h:3306/shop", u.safeUrl(), "the recipe keeps what the user wrote");
  }

  @Test
  void otherVendorKeepsExplicitXaClassInTheRecipe() throws SQLException {
    XaUrl u =
        XaUrl.parse(
            "jdbc:xa:sqlserver://h:1433;databaseName=x;xaDataSourceClass=com.X;password=p", null);
    assertEquals(Vendor.OTHER, u.vendor());
    assertEquals("com.X", u.xaDataSourceClass().orElseThrow());
    assertEquals("jdbc:sqlserver://h:1433;databaseName=x", u.vendorUrl());
    assertEquals("jdbc:xa:sqlserver://h:1433;databaseName=x;xaDataSourceClass=com.X", u.safeUrl());
  }

  @Test
  void passwordInUserInfoIsKeptOutOfTheRecipe() throws SQLException {
    XaUrl u = XaUrl.parse("jdbc:xa:mysql://app:s3cret@h:3306/shop", null);
    assertEquals("app", u.user());
    assertEquals("s3cret", u.password());
    assertEquals("jdbc:xa:mysql://h:3306/shop", u.safeUrl());
  }

  @Test
  void userInfoBecomesUserAndPasswordAndLeavesTheVendorUrl() throws SQLException {
    String[][] cases = {
      {
        "jdbc:xa:postgresql://app:s3cret@db1:5432/bank?ssl=true",
        "jdbc:postgresql://db1:5432/bank?ssl=true"
      },
      {"jdbc:xa:mariadb://app:s3cret@db2/ledger", "jdbc:mariadb://db2/ledger"},
      {"jdbc:xa:mysql://app:s3cret@db3:3306/shop", "jdbc:mariadb://db3:3306/shop"},
      {
        "jdbc:xa:postgresql://app:s3cret@h1:5432,h2:5433/bank",
        "jdbc:postgresql://h1:5432,h2:5433/bank"
      },
    };
    for (String[] c : cases) {
      XaUrl u = XaUrl.parse(c[0], null);
      assertEquals(c[1], u.vendorUrl(), c[0]);
      assertEquals("app", u.user(), c[0]);
      assertEquals("s3cret", u.password(), c[0]);
      assertNoSecret(u, "s3cret");
    }
  }

  @Test
  void userInfoIsPercentDecoded() throws SQLException {
    XaUrl u = XaUrl.parse("jdbc:xa:postgresql://us%40er:p%40ss%3Aw%2Frd%25%C3%A9@h/db", null);
    assertEquals("us@er", u.user());
    assertEquals("p@ss:w/rd%\u00e9", u.password());
    assertEquals("jdbc:postgresql://h/db", u.vendorUrl());
    assertEquals("jdbc:xa:postgresql://h/db", u.safeUrl());
    assertNoSecret(u, "p@ss:w/rd%\u00e9");
    assertNoSecret(u, "p%40ss%3Aw%2Frd%25%C3%A9");
    XaUrl colon = XaUrl.parse("jdbc:xa:mariadb://app:a:b@c@h/db", null);
    assertEquals("app", colon.user(), "the user ends at the first ':'");
    assertEquals("a:b@c", colon.password(), "the host starts after the last '@'");
    XaUrl userOnly = XaUrl.parse("jdbc:xa:postgresql://app@h/db", null);
    assertEquals("app", userOnly.user());
    assertNull(userOnly.password());
    XaUrl empty = XaUrl.parse("jdbc:xa:postgresql://app:@h/db", null);
    assertEquals("", empty.password(), "an empty password is a password");
  }

  @Test
  void credentialParametersAreDecodedAsTheVendorDecodesThem() throws SQLException {
    // pgjdbc URL-decodes parameter values; the driver takes user and password out of the URL, so
    // it must hand them on decoded, or jdbc:xa: would use another password than jdbc: does.
    XaUrl pg = XaUrl.parse("jdbc:xa:postgresql://h/db?user=a%40b&password=p%40ss+w%25rd", null);
    assertEquals("a@b", pg.user());
    assertEquals("p@ss w%rd", pg.password());
    // Connector/J and H2 take them as written.
    XaUrl maria = XaUrl.parse("jdbc:xa:mariadb://h/db?user=app&password=p%40ss+w", null);
    assertEquals("p%40ss+w", maria.password());
    XaUrl h2 = XaUrl.parse("jdbc:xa:h2:mem:a;USER=sa;PASSWORD=p%40ss", null);
    assertEquals("p%40ss", h2.password());
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> XaUrl.parse("jdbc:xa:postgresql://h/db?password=s3cretpw%zz", null));
    assertEquals("08001", e.getSQLState());
    assertFalse(e.getMessage().contains("s3cretpw"), e.getMessage());
  }

  @Test
  void propertyKeysAreCaseInsensitive() throws SQLException {
    Properties p = new Properties();
    p.setProperty("USER", "bob");
    p.setProperty("Password", "pw2");
    XaUrl u = XaUrl.parse("jdbc:xa:postgresql://app:s3cret@h/db", p);
    assertEquals("bob", u.user());
    assertEquals("pw2", u.password());
  }

  @Test
  void propertiesWinOverUserInfo() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "bob");
    p.setProperty("password", "pw2");
    XaUrl u = XaUrl.parse("jdbc:xa:postgresql://app:s3cret@h/db", p);
    assertEquals("bob", u.user());
    assertEquals("pw2", u.password());
    assertEquals("jdbc:postgresql://h/db", u.vendorUrl());
  }

  @Test
  void ambiguousOrMalformedUserInfoIsRefusedWithoutTheSecret() {
    String[] urls = {
      // user-info and a URL parameter both name the user or the password: which one is meant?
      "jdbc:xa:postgresql://app:s3cretpw@h/db?password=otherpw1",
      "jdbc:xa:postgresql://app:s3cretpw@h/db?user=bob",
      // '%' not followed by two hex digits
      "jdbc:xa:mariadb://app:s3cretpw%zz@h/db",
      "jdbc:xa:mariadb://app:s3cretpw%@h/db",
      // invalid UTF-8 after decoding
      "jdbc:xa:mariadb://app:s3cretpw%C3@h/db",
      // an unencoded '/' in the password: the '@' lands in the path
      "jdbc:xa:postgresql://app:s3cret/pw@h/db",
      "jdbc:xa:mysql://app:s3c/retpw@h:3306/db?x=1",
    };
    for (String url : urls) {
      SQLException e = assertThrows(SQLException.class, () -> XaUrl.parse(url, null), url);
      assertEquals("08001", e.getSQLState(), url);
      String m = e.getMessage();
      for (String secret : new String[] {"s3cret", "retpw", "otherpw1", "%zz", "pw@"}) {
        assertFalse(m.contains(secret), secret + " in: " + m);
      }
      assertTrue(m.contains("//user:password@host"), "names the supported forms: " + m);
      assertTrue(m.contains("?user="), "names the supported forms: " + m);
    }
  }

  @Test
  void redactCoversPasswordsWithUnencodedDelimiters() {
    assertFalse(XaUrl.redact("jdbc:postgresql://u:pa/ss@h/db").contains("ss"));
    assertFalse(XaUrl.redact("jdbc:postgresql://u:pa?ss@h/db").contains("pa?ss"));
    assertEquals(
        "jdbc:postgresql://h:5432/db?user=a@b",
        XaUrl.redact("jdbc:postgresql://h:5432/db?user=a@b"));
  }

  private static void assertNoSecret(XaUrl u, String secret) {
    for (String s :
        new String[] {
          u.safeUrl(),
          u.toString(),
          u.descriptor().toString(),
          u.descriptor().resourceId(),
          u.descriptor().url(),
          String.valueOf(u.descriptor().user()),
          u.vendorUrl()
        }) {
      assertFalse(s.contains(secret), secret + " in " + s);
    }
  }

  @Test
  void userIsOptional() throws SQLException {
    XaUrl u = XaUrl.parse("jdbc:xa:h2:mem:a", null);
    assertNull(u.user());
    assertEquals("jdbc:xa:h2:mem:a", u.descriptor().resourceId());
  }

  @Test
  void malformedUrlsFailWith08001AndNoPassword() {
    for (String url :
        new String[] {
          "jdbc:postgresql://h/db?password=s3cret",
          "jdbc:xa:",
          "jdbc:xa:postgresql",
          "jdbc:xa:postgresql:",
          "jdbc:xa:9x://h?password=s3cret",
          "jdbc:xa:h2:mem:a;xaDataSourceClass=;PASSWORD=s3cret"
        }) {
      SQLException e = assertThrows(SQLException.class, () -> XaUrl.parse(url, null), url);
      assertEquals("08001", e.getSQLState(), url);
      assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
      assertTrue(e.getMessage().contains("jdbc:xa:"), e.getMessage());
    }
  }

  @Test
  void acceptsOnlyXaPrefix() {
    assertTrue(XaUrl.accepts("jdbc:xa:h2:mem:a"));
    assertFalse(XaUrl.accepts("jdbc:h2:mem:a"));
    assertFalse(XaUrl.accepts("jdbc:xa:"));
    assertFalse(XaUrl.accepts(null));
  }

  @Test
  void redactHidesPasswordsInAnyForm() {
    assertEquals(
        "jdbc:xa:postgresql://h/db?user=a&password=***&x=1",
        XaUrl.redact("jdbc:xa:postgresql://h/db?user=a&password=pw&x=1"));
    assertEquals("jdbc:h2:mem:a;PASSWORD=***", XaUrl.redact("jdbc:h2:mem:a;PASSWORD=pw"));
    assertEquals("jdbc:mysql://u:***@h/db", XaUrl.redact("jdbc:mysql://u:pw@h/db"));
  }
}
