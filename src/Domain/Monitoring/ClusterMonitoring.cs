using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring;

/// <summary>How Cocktail reaches a cluster's Prometheus.</summary>
public enum PrometheusSource
{
    /// <summary>Through the cluster's API server: <c>/api/v1/namespaces/{ns}/services/{scheme}:{name}:{port}/proxy/</c>, with the cluster's own credentials.</summary>
    ServiceProxy,
    /// <summary>A URL Cocktail calls directly, with its own credentials (bearer token or basic auth) and CA.</summary>
    DirectUrl,
}

public enum PrometheusAuth { None, Bearer, Basic }

/// <summary>
/// Where a cluster's Prometheus is. Secrets (token, password) are never part of it: they are stored encrypted
/// beside the cluster's credentials; <see cref="HasCaCertificate"/> only says a CA was given.
/// </summary>
public sealed record PrometheusLocation(
    PrometheusSource Source,
    string? ServiceNamespace = null, string? ServiceName = null, string? ServiceScheme = null, int? ServicePort = null,
    string? Url = null, PrometheusAuth Auth = PrometheusAuth.None, string? Username = null, bool HasCaCertificate = false)
{
    public static PrometheusLocation Service(string ns, string name, int port, string scheme = "http") =>
        new(PrometheusSource.ServiceProxy, ns, name, scheme, port);

    /// <summary>The API server path that reaches Prometheus' root (no trailing slash); null for a direct URL.</summary>
    public string? ProxyPath => Source == PrometheusSource.ServiceProxy
        ? $"/api/v1/namespaces/{ServiceNamespace}/services/{ServiceScheme}:{ServiceName}:{ServicePort}/proxy"
        : null;

    public string Describe() => Source == PrometheusSource.ServiceProxy
        ? $"service {ServiceNamespace}/{ServiceName} port {ServicePort} ({ServiceScheme}) through the API server"
        : $"{Url} ({Auth switch { PrometheusAuth.Bearer => "bearer token", PrometheusAuth.Basic => "basic auth", _ => "no credentials" }})";

    /// <summary>The first rule the location breaks, with its field; null when it is whole.</summary>
    public DomainError? Check()
    {
        if (Source == PrometheusSource.ServiceProxy)
        {
            if (!DnsLabel.IsValid(ServiceNamespace)) return DomainError.Invalid($"The Service's namespace uses {DnsLabel.Rule}.", "serviceNamespace");
            if (!DnsLabel.IsValid(ServiceName)) return DomainError.Invalid($"The Service's name uses {DnsLabel.Rule}.", "serviceName");
            if (ServiceScheme is not ("http" or "https")) return DomainError.Invalid("The scheme is http or https.", "serviceScheme");
            if (ServicePort is not (>= 1 and <= 65535)) return DomainError.Invalid("The port is a number from 1 to 65535.", "servicePort");
            if (Url is not null || Auth != PrometheusAuth.None || Username is not null || HasCaCertificate)
                return DomainError.Invalid("Through the API server Cocktail uses the cluster's own credentials; a URL, credentials or a CA are for a direct URL.", "source");
            return null;
        }
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
            return DomainError.Invalid("The URL is an absolute http or https URL.", "url");
        if (url.UserInfo.Length > 0) return DomainError.Invalid("Put credentials in the auth fields, not in the URL.", "url");
        if (url.Query.Length > 1 || url.Fragment.Length > 1) return DomainError.Invalid("The URL is Prometheus' base URL, without a query or fragment.", "url");
        if (Auth == PrometheusAuth.Basic && string.IsNullOrWhiteSpace(Username)) return DomainError.Invalid("Basic auth needs a user name.", "username");
        if (Auth != PrometheusAuth.Basic && Username is not null) return DomainError.Invalid("A user name is only for basic auth.", "username");
        if (ServiceNamespace is not null || ServiceName is not null || ServiceScheme is not null || ServicePort is not null)
            return DomainError.Invalid("A direct URL names no Service.", "source");
        return null;
    }
}

/// <summary>A platform admin set where the cluster's Prometheus is (replacing any earlier location).</summary>
public sealed record ClusterMonitoringConfigured(Guid ClusterId, string Name, PrometheusLocation Location, ActorRef ConfiguredBy, DateTimeOffset ConfiguredAt);

/// <summary>A platform admin removed the cluster's Prometheus location: its charts and Prometheus rules stop until one is set again.</summary>
public sealed record ClusterMonitoringCleared(Guid ClusterId, string Name, ActorRef ClearedBy, DateTimeOffset ClearedAt);
