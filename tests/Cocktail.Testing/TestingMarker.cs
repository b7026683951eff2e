namespace Cocktail.Testing; public static class TestingMarker;
