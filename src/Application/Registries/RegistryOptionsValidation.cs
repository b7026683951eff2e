using Microsoft.Extensions.Options;

namespace Cocktail.Application.Registries;

/// <summary>
/// Checks <c>Cocktail:Registry</c> when the host starts, so that a typo in the registry's address or a zero token
/// lifetime stops the start with a message naming the setting, instead of failing the first <c>docker login</c>.
/// </summary>
public sealed class RegistryOptionsValidation : IValidateOptions<RegistryOptions>
{
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    static IEnumerable<string> Failures(RegistryOptions o)
    {
        const string at = RegistryOptions.Section;
        if (o.Address is { } address && !IsAuthority(address))
            yield return $"{at}:Address is host[:port] as image references name the registry (registry.example.com, 127.0.0.1:5000), without a scheme or path; '{address}' is not.";
        if (o.ApiUrl is { } api && (!api.IsAbsoluteUri || api.Scheme is not ("http" or "https")))
            yield return $"{at}:ApiUrl is an absolute http(s) URL of the registry's API, for example http://registry:5000/.";
        if (o.ApiUrl is not null && !o.Configured)
            yield return $"{at}:ApiUrl is set but {at}:Address is not: set the address clients use as well.";
        if (string.IsNullOrWhiteSpace(o.Service))
            yield return $"{at}:Service must name the registry's auth.token.service.";
        if (string.IsNullOrWhiteSpace(o.Issuer))
            yield return $"{at}:Issuer must name the registry's auth.token.issuer.";
        if (o.TokenLifetime <= TimeSpan.Zero || o.TokenLifetime > MaxTokenLifetime)
            yield return $"{at}:TokenLifetime must be more than zero and at most {MaxTokenLifetime:c}: a registry token cannot be revoked.";
        if (o.RobotMaxValidity <= TimeSpan.Zero)
            yield return $"{at}:RobotMaxValidity must be more than zero.";
    }

    /// <summary>host or host:port, where host is a DNS name or an IP address (IPv6 in brackets); nothing else.</summary>
    public static bool IsAuthority(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 255) return false;
        if (!Uri.TryCreate("http://" + value, UriKind.Absolute, out var uri)) return false;
        if (uri.HostNameType is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6)) return false;
        // Whatever Uri read beyond host and port (a scheme, a path, user info) makes the two differ. It drops ":80" for http.
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        return string.Equals(value, uri.Host + port, StringComparison.OrdinalIgnoreCase) ||
               string.Equals(value, uri.Host + ":80", StringComparison.OrdinalIgnoreCase);
    }
}
