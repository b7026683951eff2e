namespace Cocktail.Application; public static class ApplicationMarker;
