using MudBlazor;

namespace Cocktail.Web.Components.Layout;

public static class CocktailTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#5b3cc4", Secondary = "#0f7b8a", AppbarBackground = "#2d1b69" },
        PaletteDark = new PaletteDark { Primary = "#9d85ff", Secondary = "#4fc3d3" },
    };
}
