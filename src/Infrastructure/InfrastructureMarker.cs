namespace Cocktail.Infrastructure; public static class InfrastructureMarker;
