namespace Cocktail.Domain; public static class DomainMarker;
