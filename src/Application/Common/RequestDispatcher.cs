using System.Collections.Concurrent;
using System.Reflection;
using Cocktail.Application.Users;
using FluentValidation;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace Cocktail.Application.Common;

/// <summary>
/// The one way in for the console and the API: resolves the caller to a current, active user, checks the request's
/// role requirement, validates it with the same FluentValidation rules everywhere, then runs it through Wolverine.
/// </summary>
public sealed class RequestDispatcher(IServiceScopeFactory scopes)
{
    private static readonly ConcurrentDictionary<Type, (bool Anonymous, IReadOnlyList<Domain.Users.PlatformRole> Roles, bool ReadOnlyRolesRefused)> Policies = new();

    public async Task<Result<T>> SendAsync<T>(IRequest<T> request, Caller caller, CancellationToken ct = default)
    {
        // A scope per call: Blazor circuits live for hours and must not hold one session for all of it.
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;

        var actor = await ResolveActorAsync(services, caller, ct);
        var policy = PolicyFor(request.GetType());
        if (!policy.Anonymous)
        {
            if (actor is null) return Failure.Unauthorized();
            if (policy.Roles.Count > 0 && !policy.Roles.Contains(actor.Role)) return Failure.Forbidden();
            // Auditors read everything and change nothing, whatever a command's own checks would allow.
            if (policy.ReadOnlyRolesRefused && actor.Role == Domain.Users.PlatformRole.Auditor)
                return Failure.Forbidden("Auditors read; they change nothing.");
        }

        var invalid = await ValidateAsync(services, request, ct);
        if (invalid is not null) return invalid;

        actor ??= new Actor(Guid.Empty, "anonymous", Domain.Users.PlatformRole.User, caller.SourceIp, caller.UserAgent);
        var bus = services.GetRequiredService<IMessageBus>();
        try
        {
            // Background work (a rollout observed, a grant activated) may append to the same stream meanwhile: Wolverine's
            // conflict policies run the handler again on fresh state; a stale expectedVersion still ends in 409.
            return await bus.InvokeAsync<Result<T>>(request, ActorHeaders.ToDeliveryOptions(actor, caller.CorrelationId), ct);
        }
        catch (Exception e) when (ConflictExceptions.ToFailure(e) is { } conflict)
        {
            return conflict;
        }
    }

    private static async Task<Actor?> ResolveActorAsync(IServiceProvider services, Caller caller, CancellationToken ct)
    {
        if (caller.UserId is not { } userId) return null;
        var session = services.GetRequiredService<IQuerySession>();
        var user = await session.LoadAsync<UserView>(userId, ct);
        // Deactivation and role changes take effect on the next call, whatever the cookie or token says.
        return user is { Active: true } ? new Actor(user.Id, user.UserName, user.Role, caller.SourceIp, caller.UserAgent) : null;
    }

    private static async Task<Failure?> ValidateAsync(IServiceProvider services, object request, CancellationToken ct)
    {
        var validatorType = typeof(IValidator<>).MakeGenericType(request.GetType());
        if (services.GetService(validatorType) is not IValidator validator) return null;
        var result = await validator.ValidateAsync(new ValidationContext<object>(request), ct);
        if (result.IsValid) return null;
        var errors = result.Errors
            .GroupBy(e => FieldNames.ToJson(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return new Failure(FailureKind.Invalid, "The request has invalid fields.", errors);
    }

    private static (bool Anonymous, IReadOnlyList<Domain.Users.PlatformRole> Roles, bool ReadOnlyRolesRefused) PolicyFor(Type type) =>
        Policies.GetOrAdd(type, t => (
            t.GetCustomAttribute<AnonymousAttribute>() is not null,
            t.GetCustomAttribute<RequiresRoleAttribute>()?.Roles ?? [],
            RequestKinds.IsCommand(t) && !RequestKinds.IsSelfService(t)));
}
