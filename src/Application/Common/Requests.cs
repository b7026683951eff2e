using Cocktail.Domain.Users;

namespace Cocktail.Application.Common;

/// <summary>A command or query whose handler answers <see cref="Result{TResponse}"/>.</summary>
public interface IRequest<TResponse>;

/// <summary>Without it, a request needs a signed-in, active user; with it, only the roles named.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresRoleAttribute(params PlatformRole[] roles) : Attribute
{
    public IReadOnlyList<PlatformRole> Roles { get; } = roles;
}

/// <summary>Requests anyone may send (sign-in, token issue with a password); their handlers do their own checks.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AnonymousAttribute : Attribute;

/// <summary>Everything known about the caller before its user is looked up: who the transport says it is, and from where.</summary>
public sealed record Caller(Guid? UserId, string? SourceIp, string? UserAgent, string? CorrelationId = null)
{
    public static readonly Caller Anonymous = new(null, null, null);
}

/// <summary>
/// A request that changes something although it answers more than <see cref="Accepted"/> (a token, a kubeconfig).
/// Requests answering <see cref="Accepted"/> are commands already; everything else is a query.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class WritesAttribute : Attribute;

/// <summary>A command about the caller's own account (password, API tokens), which read-only roles may send too.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SelfServiceAttribute : Attribute;

public static class RequestKinds
{
    /// <summary>Commands answer <see cref="Accepted"/> or are marked <see cref="WritesAttribute"/>; the rest only read.</summary>
    public static bool IsCommand(Type requestType) =>
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<WritesAttribute>(requestType) is not null ||
        requestType.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>) &&
                                             i.GetGenericArguments()[0] == typeof(Accepted));

    public static bool IsSelfService(Type requestType) =>
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<SelfServiceAttribute>(requestType) is not null;
}
