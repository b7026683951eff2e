namespace Cocktail.Application.Charts;

/// <summary><c>Cocktail:ChartRepositories</c>: how often the leader reads every repository's index again.</summary>
public sealed class ChartRepositoriesOptions
{
    public const string Section = "Cocktail:ChartRepositories";

    /// <summary>Flux's HelmRepository interval is usually 10 minutes to an hour; 10 minutes keeps the catalog as fresh.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    public bool RefreshEnabled { get; set; } = true;
}
