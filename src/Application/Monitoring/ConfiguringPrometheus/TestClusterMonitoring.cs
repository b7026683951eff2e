using System.Text;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Monitoring.ConfiguringPrometheus;

/// <summary>
/// Asks a Prometheus for its build info: the saved location when <see cref="Settings"/> is null, else the given
/// settings (not saved; a blank token or password falls back to the stored one, as saving would). Writes nothing.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record TestClusterMonitoring(Guid ClusterId, ConfigureClusterMonitoring? Settings) : IRequest<PrometheusConnectionTest>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed record PrometheusConnectionTest(bool Reachable, string Location, string? Version);

public sealed class TestClusterMonitoringValidator : AbstractValidator<TestClusterMonitoring>
{
    public TestClusterMonitoringValidator()
    {
        RuleFor(x => x.Settings!).SetValidator(new ConfigureClusterMonitoringValidator()).When(x => x.Settings is not null);
        RuleFor(x => x.Settings!.Source).NotEqual(ConfigureClusterMonitoring.NoneSource, StringComparer.OrdinalIgnoreCase)
            .WithMessage("There is nothing to test without a location.").OverridePropertyName("source").When(x => x.Settings is not null);
    }
}

public static class TestClusterMonitoringHandler
{
    public static async Task<Result<PrometheusConnectionTest>> Handle(TestClusterMonitoring command, IQuerySession session,
        IPrometheusProbe probe, IDataProtectionProvider protection, CancellationToken ct)
    {
        if (await session.LoadAsync<ClusterView>(command.ClusterId, ct) is null) return Failure.NotFound("No such cluster.");
        PrometheusEndpoint? endpoint;
        if (command.Settings is { } settings)
        {
            var location = settings.ToLocation();
            if (location.Check() is { } invalid) return invalid;
            var stored = await ConfigureClusterMonitoringHandler.StoredSecretsAsync(session, protection, command.ClusterId, ct);
            endpoint = new PrometheusEndpoint(location, location.Source == PrometheusSource.ServiceProxy ? PrometheusSecrets.None : new PrometheusSecrets(
                location.Auth == PrometheusAuth.Bearer ? Blank(settings.BearerToken) ?? stored.BearerToken : null,
                location.Auth == PrometheusAuth.Basic ? Blank(settings.Password) ?? stored.Password : null,
                Blank(settings.CaCertificate)));
        }
        else
        {
            endpoint = await probe.SavedAsync(command.ClusterId, ct);
            if (endpoint is null) return Failure.Invalid("This cluster has no Prometheus location yet; give one to test.", "source");
        }
        var answer = await probe.BuildInfoAsync(command.ClusterId, endpoint, ct);
        return answer.Failure is { } failure
            ? failure.ToFailure()
            : new PrometheusConnectionTest(true, endpoint.Location.Describe(), answer.Value);
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
