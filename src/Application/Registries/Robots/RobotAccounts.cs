using Cocktail.Application.Common;
using Cocktail.Application.Registries.CreatingRobots;
using Cocktail.Application.Registries.RevokingRobots;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace Cocktail.Application.Registries.Robots;

/// <summary>
/// Robots Cocktail makes for itself, through the same handlers, decisions and events as a person's. A singleton
/// (reconcilers and schedulers hold it): each call runs in a scope of its own.
/// </summary>
public sealed class RobotAccounts(IServiceScopeFactory scopes) : IRobotAccounts
{
    public async Task<IssuedRobot> IssueAsync(Guid workspaceId, string name, RobotPermission permission, DateTimeOffset validUntil,
        ActorRef by, string purpose, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var result = await bus.InvokeAsync<Result<IssuedRobot>>(new IssueRobotAccount(workspaceId, name, permission, validUntil, by, purpose), ct);
        return result.Value ?? throw new InvalidOperationException($"The robot account '{name}' was refused: {result.Failure!.Message}");
    }

    public async Task RevokeAsync(Guid robotId, ActorRef by, string reason, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var result = await bus.InvokeAsync<Result<Accepted>>(new WithdrawRobotAccount(robotId, by, reason), ct);
        if (result.Failure is { } failure) throw new InvalidOperationException($"The robot account {robotId} was not revoked: {failure.Message}");
    }
}
