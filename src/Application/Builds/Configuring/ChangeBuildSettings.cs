using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Builds.Configuring;

/// <summary>Where builds run: one registered cluster, a namespace Cocktail manages there, limits and concurrency (platform admins).</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ChangeBuildSettings(Guid ClusterId, string? Namespace, string? CpuLimit, string? MemoryLimit, int? ConcurrencyPerWorkspace, int? TimeoutMinutes)
    : IRequest<Accepted>;

public sealed class ChangeBuildSettingsValidator : AbstractValidator<ChangeBuildSettings>
{
    public ChangeBuildSettingsValidator()
    {
        RuleFor(x => x.ClusterId).NotEmpty().WithMessage("Choose the build cluster.");
        RuleFor(x => x.Namespace).Must(n => n is null || Domain.Common.DnsLabel.IsValid(n)).WithMessage("The namespace is a DNS label (lowercase letters, digits, '-').");
        RuleFor(x => x.CpuLimit).Must(c => c is null || Domain.Common.Quantity.TryParse(c, out _)).WithMessage("The CPU limit is a Kubernetes quantity, e.g. 2 or 1500m.");
        RuleFor(x => x.MemoryLimit).Must(m => m is null || Domain.Common.Quantity.TryParse(m, out _)).WithMessage("The memory limit is a Kubernetes quantity, e.g. 4Gi.");
        RuleFor(x => x.ConcurrencyPerWorkspace).InclusiveBetween(1, 100);
        RuleFor(x => x.TimeoutMinutes).InclusiveBetween(1, 24 * 60);
    }
}

public static class ChangeBuildSettingsHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeBuildSettings command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.Invalid("No such registered cluster.", "clusterId");
        var stream = await session.Events.FetchForWriting<BuildSettings>(BuildSettings.StreamId, ct);
        var wanted = new BuildSettings(BuildSettings.StreamId, cluster.Id, cluster.Name, command.Namespace ?? stream.Aggregate?.Namespace ?? "cocktail-builds",
            command.CpuLimit ?? stream.Aggregate?.CpuLimit ?? "2", command.MemoryLimit ?? stream.Aggregate?.MemoryLimit ?? "4Gi",
            command.ConcurrencyPerWorkspace ?? stream.Aggregate?.ConcurrencyPerWorkspace ?? 2, command.TimeoutMinutes ?? stream.Aggregate?.TimeoutMinutes ?? 60);
        var decision = BuildSettings.Change(stream.Aggregate, wanted, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(BuildSettings.StreamId, (stream.StartingVersion ?? 0) + decision.Events.Count);
    }
}

/// <summary>The build settings as the platform page shows them (null: not set up yet).</summary>
public sealed record GetBuildSettings : IRequest<BuildSettings?>;

public static class GetBuildSettingsHandler
{
    public static async Task<Result<BuildSettings?>> Handle(GetBuildSettings _, IQuerySession session, CancellationToken ct) =>
        Result<BuildSettings?>.Ok(await session.Events.AggregateStreamAsync<BuildSettings>(BuildSettings.StreamId, token: ct));
}
