namespace Cocktail.Application.ApiTokens;

public sealed class ApiTokenOptions
{
    public const string Section = "Cocktail:ApiTokens";

    /// <summary>The longest a token may live; a token is refused at creation when asked for longer.</summary>
    public int MaxLifetimeDays { get; set; } = 90;
}
