using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Application.Provisioning;

/// <summary>The write side of a provisioned cluster's commands: load with the expected version, decide, append.</summary>
public static class ProvisionedClusters
{
    public const string NotFound = "No such provisioned cluster.";

    public static Task<Result<Accepted>> DecideAsync(Marten.IDocumentSession session, Guid id, long? expectedVersion,
        Func<ProvisionedCluster, Decision> decide, CancellationToken ct) =>
        AggregateStreams.DecideAsync(session, id, expectedVersion, decide, NotFound, ct);

    public static string? Reason(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
}
