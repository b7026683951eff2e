using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Monitoring.ConfiguringPrometheus;

/// <summary>
/// Where the cluster's Prometheus is: a Service reached through the API server's service proxy (the cluster's own
/// credentials), or a direct URL with a bearer token or basic auth and a CA. Source "None" removes the location.
/// For a direct URL, a blank token or password keeps the one stored (secrets are never shown, so a form cannot
/// send them back).
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ConfigureClusterMonitoring(
    Guid ClusterId, string? Source, string? ServiceNamespace = null, string? ServiceName = null, string? ServiceScheme = null,
    int? ServicePort = null, string? Url = null, string? Auth = null, string? Username = null,
    [property: Secret] string? BearerToken = null, [property: Secret] string? Password = null, string? CaCertificate = null,
    long? ExpectedVersion = null) : IRequest<Accepted>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    public const string NoneSource = "None";

    public bool Clears => string.Equals(Source, NoneSource, StringComparison.OrdinalIgnoreCase);

    public PrometheusSource ParsedSource() => Enum.Parse<PrometheusSource>(Source!, ignoreCase: true);

    public PrometheusAuth ParsedAuth() => string.IsNullOrEmpty(Auth) ? PrometheusAuth.None : Enum.Parse<PrometheusAuth>(Auth, ignoreCase: true);

    public PrometheusLocation ToLocation() => ParsedSource() == PrometheusSource.ServiceProxy
        ? new PrometheusLocation(PrometheusSource.ServiceProxy, ServiceNamespace, ServiceName, ServiceScheme ?? "http", ServicePort)
        : new PrometheusLocation(PrometheusSource.DirectUrl, Url: Url?.TrimEnd('/'), Auth: ParsedAuth(),
            Username: ParsedAuth() == PrometheusAuth.Basic ? Username : null, HasCaCertificate: !string.IsNullOrWhiteSpace(CaCertificate));
}

public sealed class ConfigureClusterMonitoringValidator : AbstractValidator<ConfigureClusterMonitoring>
{
    public const int MaxSecretLength = 8 * 1024;
    public const int MaxCaLength = 64 * 1024;

    public ConfigureClusterMonitoringValidator()
    {
        RuleFor(x => x.Source).NotEmpty().WithMessage("Say where Prometheus is: ServiceProxy, DirectUrl or None.")
            .Must(s => s is null || string.Equals(s, ConfigureClusterMonitoring.NoneSource, StringComparison.OrdinalIgnoreCase) || Enum.TryParse<PrometheusSource>(s, true, out _))
            .WithMessage("The source is ServiceProxy, DirectUrl or None.");
        RuleFor(x => x.Auth).Must(a => string.IsNullOrEmpty(a) || Enum.TryParse<PrometheusAuth>(a, true, out _))
            .WithMessage("The auth is None, Bearer or Basic.");
        When(x => string.Equals(x.Source, nameof(PrometheusSource.ServiceProxy), StringComparison.OrdinalIgnoreCase), () =>
        {
            RuleFor(x => x.ServiceNamespace).NotEmpty().WithMessage("Name the Service's namespace.")
                .Must(DnsLabel.IsValid).WithMessage($"A namespace uses {DnsLabel.Rule}.");
            RuleFor(x => x.ServiceName).NotEmpty().WithMessage("Name the Service.")
                .Must(DnsLabel.IsValid).WithMessage($"A Service name uses {DnsLabel.Rule}.");
            RuleFor(x => x.ServiceScheme).Must(s => s is null or "http" or "https").WithMessage("The scheme is http or https.");
            RuleFor(x => x.ServicePort).NotNull().WithMessage("Give the Service's port (9090 for Prometheus).")
                .InclusiveBetween(1, 65535).WithMessage("The port is a number from 1 to 65535.");
            RuleFor(x => x.Url).Empty().WithMessage("Through the API server there is no URL to give.");
            RuleFor(x => x.BearerToken).Empty().WithMessage("Through the API server Cocktail uses the cluster's own credentials.");
            RuleFor(x => x.Password).Empty().WithMessage("Through the API server Cocktail uses the cluster's own credentials.");
            RuleFor(x => x.CaCertificate).Empty().WithMessage("Through the API server the cluster's own CA is used.");
        });
        When(x => string.Equals(x.Source, nameof(PrometheusSource.DirectUrl), StringComparison.OrdinalIgnoreCase), () =>
        {
            RuleFor(x => x.Url).NotEmpty().WithMessage("Give Prometheus' URL, e.g. https://prometheus.example.com:9090.")
                .MaximumLength(2048)
                .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.UserInfo.Length == 0)
                .WithMessage("An absolute http or https URL, without credentials in it.");
            RuleFor(x => x.Username).NotEmpty().WithMessage("Basic auth needs a user name.").MaximumLength(256)
                .When(x => string.Equals(x.Auth, nameof(PrometheusAuth.Basic), StringComparison.OrdinalIgnoreCase));
            RuleFor(x => x.BearerToken).MaximumLength(MaxSecretLength);
            RuleFor(x => x.Password).MaximumLength(MaxSecretLength);
            RuleFor(x => x.CaCertificate).MaximumLength(MaxCaLength)
                .Must(BeCertificates).WithMessage("The CA is one or more PEM certificates (-----BEGIN CERTIFICATE-----).")
                .When(x => !string.IsNullOrWhiteSpace(x.CaCertificate));
        });
        RuleFor(x => x.ExpectedVersion).GreaterThan(0).When(x => x.ExpectedVersion is not null);
    }

    static bool BeCertificates(string? pem)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            foreach (var c in certificates) c.Dispose();
            return certificates.Count > 0;
        }
        catch (CryptographicException) { return false; }
    }
}

public static class ConfigureClusterMonitoringHandler
{
    public static async Task<Result<Accepted>> Handle(ConfigureClusterMonitoring command, Actor actor, IDocumentSession session,
        IDataProtectionProvider protection, TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<ClusterView>(command.ClusterId, ct) is null) return Failure.NotFound("No such cluster.");
        var now = clock.GetUtcNow();
        if (command.Clears)
        {
            var cleared = await AggregateStreams.DecideAsync<Cluster>(session, command.ClusterId, command.ExpectedVersion,
                cluster => cluster.ClearMonitoring(actor.Ref, now), "No such cluster.", ct);
            if (cleared.Succeeded) session.Delete<ClusterPrometheusCredential>(command.ClusterId);
            return cleared;
        }

        var location = command.ToLocation();
        var secrets = PrometheusSecrets.None;
        if (location.Source == PrometheusSource.DirectUrl)
        {
            var stored = await StoredSecretsAsync(session, protection, command.ClusterId, ct);
            secrets = new PrometheusSecrets(
                location.Auth == PrometheusAuth.Bearer ? Blank(command.BearerToken) ?? stored.BearerToken : null,
                location.Auth == PrometheusAuth.Basic ? Blank(command.Password) ?? stored.Password : null,
                Blank(command.CaCertificate));
            if (location.Auth == PrometheusAuth.Bearer && secrets.BearerToken is null)
                return Failure.Invalid("Give the bearer token Prometheus expects.", "bearerToken");
            if (location.Auth == PrometheusAuth.Basic && secrets.Password is null)
                return Failure.Invalid("Give the basic auth password.", "password");
        }

        var result = await AggregateStreams.DecideAsync<Cluster>(session, command.ClusterId, command.ExpectedVersion,
            cluster => cluster.ConfigureMonitoring(location, actor.Ref, now), "No such cluster.", ct);
        if (!result.Succeeded) return result;
        if (secrets == PrometheusSecrets.None) session.Delete<ClusterPrometheusCredential>(command.ClusterId);
        else session.Store(new ClusterPrometheusCredential { Id = command.ClusterId, Protected = Protect(protection, secrets) });
        return result;
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    public static string Protect(IDataProtectionProvider protection, PrometheusSecrets secrets) =>
        protection.CreateProtector(PrometheusSecrets.Purpose).Protect(JsonSerializer.Serialize(secrets));

    public static PrometheusSecrets Unprotect(IDataProtectionProvider protection, string stored) =>
        JsonSerializer.Deserialize<PrometheusSecrets>(protection.CreateProtector(PrometheusSecrets.Purpose).Unprotect(stored)) ?? PrometheusSecrets.None;

    public static async Task<PrometheusSecrets> StoredSecretsAsync(IQuerySession session, IDataProtectionProvider protection, Guid clusterId, CancellationToken ct) =>
        await session.LoadAsync<ClusterPrometheusCredential>(clusterId, ct) is { } credential
            ? Unprotect(protection, credential.Protected)
            : PrometheusSecrets.None;
}
