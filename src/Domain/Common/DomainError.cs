namespace Cocktail.Domain.Common;

public enum ErrorKind
{
    /// <summary>The request breaks a rule (400): the message says which, and the field where there is one.</summary>
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>A business-rule refusal that the console and the API can show as it is.</summary>
public sealed record DomainError(ErrorKind Kind, string Message, string? Field = null)
{
    public static DomainError Invalid(string message, string? field = null) => new(ErrorKind.Invalid, message, field);
    public static DomainError NotFound(string message) => new(ErrorKind.NotFound, message);
    public static DomainError Conflict(string message, string? field = null) => new(ErrorKind.Conflict, message, field);
    public static DomainError Forbidden(string message) => new(ErrorKind.Forbidden, message);
}
