using Cocktail.Domain.Common;

namespace Cocktail.Application.Common;

public enum FailureKind { Invalid, Unauthorized, Forbidden, NotFound, Conflict, Unavailable }

/// <summary>Why a request was refused, in words a user can act on. Field errors are keyed by the JSON field name.</summary>
public sealed record Failure(FailureKind Kind, string Message, IReadOnlyDictionary<string, string[]>? FieldErrors = null)
{
    public static Failure Invalid(string message, string? field = null) =>
        new(FailureKind.Invalid, message, field is null ? null : new Dictionary<string, string[]> { [field] = [message] });
    public static Failure NotFound(string message) => new(FailureKind.NotFound, message);
    public static Failure Conflict(string message) => new(FailureKind.Conflict, message);
    public static Failure Forbidden(string message = "You are not allowed to do this.") => new(FailureKind.Forbidden, message);
    public static Failure Unauthorized(string message = "Sign in first.") => new(FailureKind.Unauthorized, message);

    public static Failure From(DomainError error) => error.Kind switch
    {
        ErrorKind.Invalid => Invalid(error.Message, error.Field),
        ErrorKind.NotFound => NotFound(error.Message),
        ErrorKind.Conflict => new(FailureKind.Conflict, error.Message,
            error.Field is null ? null : new Dictionary<string, string[]> { [error.Field] = [error.Message] }),
        ErrorKind.Forbidden => Forbidden(error.Message),
        _ => throw new ArgumentOutOfRangeException(nameof(error), error.Kind, null),
    };
}

/// <summary>The answer to a command or query: a value, or the failure to show.</summary>
public sealed record Result<T>
{
    private Result(T? value, Failure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }
    public Failure? Failure { get; }
    public bool Succeeded => Failure is null;

    public static Result<T> Ok(T value) => new(value, null);
    public static Result<T> Fail(Failure failure) => new(default, failure);

    public static implicit operator Result<T>(T value) => Ok(value);
    public static implicit operator Result<T>(Failure failure) => Fail(failure);
    public static implicit operator Result<T>(DomainError error) => Fail(Failure.From(error));

    public Result<TOther> Map<TOther>(Func<T, TOther> map) =>
        Failure is null ? Result<TOther>.Ok(map(Value!)) : Result<TOther>.Fail(Failure);
}

/// <summary>A command's success: what it was about and the stream version it left, for the next expected version.</summary>
public sealed record Accepted(Guid Id, long Version);
