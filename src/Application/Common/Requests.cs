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
