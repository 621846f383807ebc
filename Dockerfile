FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN CANDOUR_ENV=production SECRET_KEY=collectstatic-only-this-is-not-a-real-secret-key \
    python manage.py collectstatic --noinput \
    && useradd --system candour && mkdir -p var && chown candour var
USER candour
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
