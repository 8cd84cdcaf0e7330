// Photos (and PDFs) taken on the visit: each file is stored by the core with a small thumbnail
// drawn here, and shown as a preview that can be removed.
import { ActionIcon, Box, Button, FileButton, Group, Image, Paper, Text } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'
import type { FieldChange } from './fields'
import type { PhotoRef } from './visitForm'

async function fileToBase64(file: Blob): Promise<string> {
  const buffer = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < buffer.length; i += 0x8000) binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** A 96-px JPEG thumbnail drawn by the browser's canvas (no native image library); null if the file is not an image it can read. */
async function thumbnailOf(file: File): Promise<string | null> {
  if (!file.type.startsWith('image/')) return null
  try {
    const bitmap = await createImageBitmap(file)
    const scale = 96 / Math.max(bitmap.width, bitmap.height)
    const canvas = document.createElement('canvas')
    canvas.width = Math.max(1, Math.round(bitmap.width * Math.min(1, scale)))
    canvas.height = Math.max(1, Math.round(bitmap.height * Math.min(1, scale)))
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    return canvas.toDataURL('image/jpeg', 0.7)
  } catch {
    return null
  }
}

export function PhotosField({
  value,
  onChange,
  error,
  onError,
}: {
  value: PhotoRef[]
  onChange: FieldChange<PhotoRef[]>
  error: string | undefined
  onError: (message: string) => void
}) {
  const { t } = useTranslation()
  const addPhotos = async (files: File[]) => {
    for (const file of files) {
      try {
        const preview = await thumbnailOf(file)
        const stored = await call('visits.addPhoto', {
          fileName: file.name,
          base64: await fileToBase64(file),
          thumbBase64: preview ? preview.split(',')[1] : undefined,
        })
        onChange((ps) => [...ps, { ...stored, preview: preview ?? undefined }])
      } catch (e) {
        onError(messageOf(e))
      }
    }
  }

  const messageOf = (e: unknown) => {
    const issue = e instanceof AppError ? e.issues?.[0] : undefined
    return issue ? t(`visits.err.${issue.message}`, { defaultValue: issue.message }) : t('errors.INTERNAL')
  }

  return (
    <Box data-field="photos">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {t('visits.log.photos')}
        </Text>
        <FileButton onChange={(files) => void addPhotos(files)} accept="image/*,application/pdf" multiple>
          {(props) => (
            <Button size="compact-xs" variant="subtle" {...props}>
              + {t('visits.log.addPhotos')}
            </Button>
          )}
        </FileButton>
      </Group>
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
      <Group gap={6} mt={4}>
        {value.map((p, i) => (
          <Box key={p.sha256} pos="relative" data-photo={p.sha256}>
            {p.preview ? (
              <Image src={p.preview} w={64} h={64} radius="sm" fit="cover" alt={p.fileName} />
            ) : (
              <Paper withBorder w={64} h={64} p={4}>
                <Text size="xs" truncate>
                  {p.fileName}
                </Text>
              </Paper>
            )}
            <ActionIcon
              size="xs"
              color="gray"
              variant="filled"
              pos="absolute"
              top={2}
              right={2}
              aria-label="remove"
              onClick={() => onChange((ps) => ps.filter((_, j) => j !== i))}
            >
              ×
            </ActionIcon>
          </Box>
        ))}
      </Group>
    </Box>
  )
}
