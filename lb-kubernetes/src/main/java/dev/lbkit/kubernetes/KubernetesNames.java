package dev.lbkit.kubernetes;

/**
 * The name rules that the Kubernetes API server applies to the names this module is given, so
 * that a name it could never match is rejected at {@code build()} rather than watched forever.
 *
 * <p>Source: Kubernetes' {@code apimachinery/pkg/util/validation} ({@code IsDNS1123Label},
 * {@code IsDNS1035Label}) and the API reference:
 * <ul>
 *   <li>a namespace is a DNS-1123 label ({@code ValidateNamespaceName});
 *   <li>a Service name is a DNS-1035 label ({@code ValidateServiceName}): a DNS-1123 label that
 *       also starts with a letter;
 *   <li>an EndpointSlice port name is empty or a DNS-1123 label ({@code EndpointPort.name}).
 * </ul>
 * A DNS-1123 label is 1 to 63 characters of lowercase ASCII letters, digits and {@code -},
 * starting and ending with a letter or digit. Pure functions, safe from any thread.
 */
final class KubernetesNames {

  /** Longest label, 63 characters (RFC 1123 via Kubernetes' {@code DNS1123LabelMaxLength}). */
  static final int MAX_LABEL_LENGTH = 63;

  private KubernetesNames() {}

  /** Checks a namespace name. */
  static void checkNamespace(String namespace) {
    String why = whyNotDns1123Label(namespace);
    if (why != null) {
      throw invalid("namespace", "a DNS-1123 label", namespace, why);
    }
  }

  /** Checks a Service name. */
  static void checkServiceName(String serviceName) {
    String why = whyNotDns1123Label(serviceName);
    if (why == null && !isLetter(serviceName.charAt(0))) {
      why = "it must start with a letter";
    }
    if (why != null) {
      throw invalid("serviceName", "a DNS-1035 label", serviceName, why);
    }
  }

  /** Checks a port name; the empty name selects a Service's one unnamed port. */
  static void checkPortName(String portName) {
    if (portName != null && portName.isEmpty()) {
      return;
    }
    String why = whyNotDns1123Label(portName);
    if (why != null) {
      throw invalid("portName", "empty or a DNS-1123 label", portName, why);
    }
  }

  /** Why {@code name} is no DNS-1123 label, or null when it is one. */
  static String whyNotDns1123Label(String name) {
    if (name == null) {
      return "it is null";
    }
    if (name.isEmpty()) {
      return "it is empty";
    }
    if (name.length() > MAX_LABEL_LENGTH) {
      return "it is longer than " + MAX_LABEL_LENGTH + " characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isLetter(c) && !(c >= '0' && c <= '9') && c != '-') {
        return "character '" + c + "' at index " + i + " is not a lowercase letter, digit or '-'";
      }
    }
    if (name.charAt(0) == '-' || name.charAt(name.length() - 1) == '-') {
      return "it starts or ends with '-'";
    }
    return null;
  }

  private static boolean isLetter(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static IllegalArgumentException invalid(String field, String rule, String value, String why) {
    String shown = value == null ? "null" : "'" + value + "'";
    return new IllegalArgumentException(field + " must be " + rule + ", was " + shown + " (" + why + ")");
  }
}
