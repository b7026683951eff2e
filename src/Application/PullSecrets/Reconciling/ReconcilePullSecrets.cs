using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Cocktail.Domain.Tenancy;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.PullSecrets.Reconciling;

/// <summary>
/// Make every service map namespace of a workspace hold its pull secrets: the workspace registry's (a pull robot,
/// issued when there is none or the current one expires within <see cref="PullSecretOptions.RotateBefore"/>) and one per
/// external registry, all named by the namespace's default ServiceAccount. Sent after every change and by the periodic
/// pass; idempotent. With <see cref="Rotate"/>, a new pull robot is issued whatever the current one's validity.
/// </summary>
public sealed record ReconcilePullSecrets(Guid WorkspaceId, bool Rotate = false, ActorRef? RequestedBy = null);

/// <summary>The periodic pass: every workspace with a service map (rotation, ECR refresh, secrets deleted by hand).</summary>
public sealed record CheckAllPullSecrets;

public static class CheckAllPullSecretsHandler
{
    public static async Task<IEnumerable<ReconcilePullSecrets>> Handle(CheckAllPullSecrets _, IQuerySession session, CancellationToken ct) =>
        (await session.Query<ServiceMapView>().Select(s => s.WorkspaceId).Distinct().ToListAsync(ct)).Select(id => new ReconcilePullSecrets(id));
}

public static class ReconcilePullSecretsHandler
{
    public const string RobotPurpose = "pull secrets of the workspace's service maps";

    public static async Task Handle(ReconcilePullSecrets command, IDocumentSession session, IPullSecretApplier applier, ICredentialVault vault,
        IRobotAccounts robots, IEcrAuthorization ecr, IDataProtectionProvider protection, IOptions<RegistryOptions> registry,
        IOptions<PullSecretOptions> options, TimeProvider clock, IExclusiveTurns turns, ILogger<PullSecretStatus> logger, CancellationToken ct)
    {
        // One pass per workspace at a time across replicas: two passes would each issue a robot.
        await using var turn = await turns.TakeAsync("pull-secrets", command.WorkspaceId, ct);
        var workspaceId = command.WorkspaceId;
        var maps = (await session.Query<ServiceMapView>().Where(s => s.WorkspaceId == workspaceId).ToListAsync(ct))
            .Where(m => m.Status != ServiceMapStatus.Deleting).ToList();
        var statuses = await session.Query<PullSecretStatus>().Where(s => s.WorkspaceId == workspaceId).ToListAsync(ct);
        foreach (var gone in statuses.Where(s => maps.All(m => m.Id != s.Id))) session.Delete(gone);
        var by = command.RequestedBy ?? ActorRef.System;
        var now = clock.GetUtcNow();

        var secrets = new List<PullSecret>();
        var problems = new List<string>();
        var pullRobots = (await session.Query<WorkspacePullRobot>().Where(r => r.WorkspaceId == workspaceId && r.RevokedAt == null).ToListAsync(ct)).ToList();
        WorkspacePullRobot? current = null;
        if (registry.Value.Configured && maps.Count > 0)
        {
            var plan = PullRobotRotation.Plan(pullRobots.Select(r => r.ToDecisionInput()), now, options.Value.RotateBefore, command.Rotate);
            current = plan.IssueNew ? await IssueAsync(session, robots, protection, registry.Value, options.Value, workspaceId, by, now, ct)
                : pullRobots.Single(r => r.Id == plan.Current);
            if (current is not null) pullRobots.Add(current);
            else problems.Add("No pull robot could be issued for the workspace registry.");
            if (current is not null)
                secrets.Add(PullSecret.For(PullSecretNames.Workspace, registry.Value.Address!, current.UserName, current.Password(protection)));
        }
        secrets.AddRange(await ExternalSecretsAsync(session, ecr, protection, options.Value, workspaceId, now, problems, ct));

        var everywhere = true;
        foreach (var map in maps)
        {
            var outcome = await ApplyAsync(session, applier, vault, map, secrets, ct);
            everywhere &= outcome.Result == ApplyResult.Applied;
            var message = outcome.Result == ApplyResult.Applied ? (problems.Count == 0 ? null : string.Join(" ", problems)) : outcome.Message ?? outcome.Result.ToString();
            session.Store(new PullSecretStatus
            {
                Id = map.Id, WorkspaceId = workspaceId, ServiceMapName = map.Name, Namespace = map.Namespace,
                Secrets = secrets.Select(s => s.Name).ToList(), Applied = outcome.Result == ApplyResult.Applied, Message = message, At = now,
            });
            if (outcome.Result != ApplyResult.Applied)
                logger.LogInformation("Pull secrets of service map {ServiceMap} not applied: {Outcome}", map.Name, outcome.Result);
        }

        // Only once every namespace carries the current robot are the ones before it revoked: a pull in between still works.
        if (everywhere && current is not null)
            foreach (var old in PullRobotRotation.ToRevoke(pullRobots.Select(r => r.ToDecisionInput()), current.Id))
            {
                var robot = pullRobots.Single(r => r.Id == old);
                await robots.RevokeAsync(robot.Id, by, $"replaced by {current.UserName} in every service map", ct);
                robot.RevokedAt = now;
                session.Store(robot);
            }
        await session.SaveChangesAsync(ct);
    }

    private static async Task<WorkspacePullRobot?> IssueAsync(IDocumentSession session, IRobotAccounts robots, IDataProtectionProvider protection,
        RegistryOptions registry, PullSecretOptions options, Guid workspaceId, ActorRef by, DateTimeOffset now, CancellationToken ct)
    {
        var validity = PullRobotRotation.Validity(options.RobotValidity, registry.RobotMaxValidity);
        // Unique even when a rotation follows the first robot within the same second (seen: both named pull-<second>).
        var issued = await robots.IssueAsync(workspaceId, $"pull-{now:yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..6]}", RobotPermission.Pull, now + validity, by, RobotPurpose, ct);
        var robot = WorkspacePullRobot.Of(issued, now, protection);
        // Kept at once: the robot exists now, and its password is shown only this once.
        session.Store(robot);
        await session.SaveChangesAsync(ct);
        return robot;
    }

    private static async Task<IReadOnlyList<PullSecret>> ExternalSecretsAsync(IDocumentSession session, IEcrAuthorization ecr, IDataProtectionProvider protection,
        PullSecretOptions options, Guid workspaceId, DateTimeOffset now, List<string> problems, CancellationToken ct)
    {
        var registries = await session.Query<ExternalRegistryView>().Where(r => r.WorkspaceId == workspaceId && !r.Removed).OrderBy(r => r.Name).ToListAsync(ct);
        if (registries.Count == 0) return [];
        var stored = (await session.LoadManyAsync<ExternalRegistrySecret>(ct, registries.Select(r => r.Id))).ToDictionary(s => s.Id);
        var secrets = new List<PullSecret>();
        foreach (var registry in registries)
        {
            if (!stored.TryGetValue(registry.Id, out var secret)) continue;
            var password = secret.Read(protection).Secret;
            var key = ExternalRegistryRules.ConfigKey(registry.Kind, registry.Server);
            if (registry.Kind != ExternalRegistryKind.Ecr)
            {
                secrets.Add(PullSecret.For(registry.SecretName, key, registry.UserName, password));
                continue;
            }
            var cached = await session.LoadAsync<EcrTokenCache>(registry.Id, ct);
            if (cached is null || cached.ExpiresAt - now <= options.EcrRefreshBefore)
            {
                var (token, error) = await ecr.GetTokenAsync(registry.Server, registry.UserName, password, ct);
                if (token is not null)
                {
                    cached = EcrTokenCache.Of(registry.Id, token, protection);
                    session.Store(cached);
                }
                else problems.Add($"{registry.Name}: {error}");
            }
            // An ECR token still valid is written even when its refresh failed; an expired one would only fail pulls.
            if (cached is not null && cached.ExpiresAt > now)
                secrets.Add(PullSecret.For(registry.SecretName, key, "AWS", cached.Password(protection)));
        }
        return secrets;
    }

    private static async Task<ApplyOutcome> ApplyAsync(IDocumentSession session, IPullSecretApplier applier, ICredentialVault vault, ServiceMapView map,
        IReadOnlyList<PullSecret> secrets, CancellationToken ct)
    {
        var credential = await session.LoadAsync<ClusterCredential>(map.ClusterId, ct);
        if (credential is null) return new ApplyOutcome(ApplyResult.Refused, "The cluster is no longer registered.");
        return await applier.ApplyAsync(vault.Unprotect(credential.Protected), map.Namespace, secrets, ct);
    }
}
